package federation

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignVerify(t *testing.T) {
	key := newKey()
	pub := key.Public().(ed25519.PublicKey)
	kid := KeyID(pub)
	payload := []byte(`{"portal":"HE"}`)
	jws := Sign(key, kid, payload)
	if parts := strings.Split(jws, "."); len(parts) != 3 || parts[1] != "" {
		t.Fatalf("not detached: %s", jws)
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	other := newKey().Public().(ed25519.PublicKey)
	for _, tc := range []struct {
		name, key string
	}{
		{"JWK", JWK(pub, kid)},
		{"JWKS", string(JWKS(PublicKey{ID: "old", Key: other}, PublicKey{ID: kid, Key: pub}))},
		{"PEM", pemKey},
		{"Base64", base64.StdEncoding.EncodeToString(pub)},
		{"Base64URL", base64.RawURLEncoding.EncodeToString(pub)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, err := ParsePublicKeys(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(keys, jws, payload); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if err := Verify(keys, jws, append(payload, ' ')); err == nil {
				t.Error("a changed payload verifies")
			}
		})
	}
	for _, tc := range []struct{ name, jws, want string }{
		{"ErrUnsigned", "", "not signed"},
		{"ErrAttached", strings.Replace(jws, "..", ".e30.", 1), "detached"},
		{"ErrAlgNone", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"`+kid+`"}`)) + "..", "not EdDSA"},
		{"ErrCrit", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","b64":false,"crit":["b64"]}`)) + ".." + strings.Split(jws, "..")[1], "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys, _ := ParsePublicKeys(JWK(pub, kid))
			if err := Verify(keys, tc.jws, payload); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := ParsePublicKeys(`{"kty":"EC","crv":"P-256","x":"a","y":"b"}`); err == nil {
		t.Error("an EC key is accepted")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "federation.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("second load: %v, same key %v", err, k1.Equal(k2))
	}
}
