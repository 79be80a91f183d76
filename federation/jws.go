package federation

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// SignatureHeader carries the detached JWS of a response body.
const SignatureHeader = "Federation-Signature"

// jwsHeader is the JWS protected header this package writes and accepts.
type jwsHeader struct {
	Alg  string   `json:"alg"`
	Kid  string   `json:"kid,omitempty"`
	Typ  string   `json:"typ,omitempty"`
	Crit []string `json:"crit,omitempty"`
	B64  *bool    `json:"b64,omitempty"`
}

// Sign returns the detached compact JWS (RFC 7515 appendix F) of payload:
// BASE64URL(header) ".." BASE64URL(signature), where the signature is
// Ed25519 (alg EdDSA, RFC 8037) over BASE64URL(header) "." BASE64URL(payload).
func Sign(key ed25519.PrivateKey, kid string, payload []byte) string {
	hdr, _ := json.Marshal(jwsHeader{Alg: "EdDSA", Kid: kid})
	h := b64.EncodeToString(hdr)
	sig := ed25519.Sign(key, []byte(h+"."+b64.EncodeToString(payload)))
	return h + ".." + b64.EncodeToString(sig)
}

// errSignature marks every failed verification.
var errSignature = errors.New("bad signature")

// Verify checks a detached compact JWS over payload against keys: the key
// whose ID matches the header's kid, or else the keys configured without an
// ID. Only alg EdDSA is accepted, and no crit or b64 header.
func Verify(keys []PublicKey, jws string, payload []byte) error {
	if jws == "" {
		return fmt.Errorf("%w: the response is not signed", errSignature)
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 || parts[1] != "" {
		return fmt.Errorf("%w: not a detached compact JWS", errSignature)
	}
	raw, err := b64.DecodeString(parts[0])
	if err != nil {
		return fmt.Errorf("%w: header is not base64url", errSignature)
	}
	var h jwsHeader
	if err := decodeStrict(raw, &h); err != nil {
		return fmt.Errorf("%w: header: %v", errSignature, err)
	}
	if h.Alg != "EdDSA" {
		return fmt.Errorf("%w: algorithm %q is not EdDSA", errSignature, h.Alg)
	}
	if len(h.Crit) > 0 || h.B64 != nil {
		return fmt.Errorf("%w: crit and b64 headers are not supported", errSignature)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature is not 64 bytes of base64url", errSignature)
	}
	input := []byte(parts[0] + "." + b64.EncodeToString(payload))
	var candidates []PublicKey
	for _, k := range keys {
		if h.Kid != "" && k.ID == h.Kid {
			candidates = []PublicKey{k}
			break
		}
		if k.ID == "" {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 0 {
		return fmt.Errorf("%w: unknown key id %q", errSignature, h.Kid)
	}
	for _, k := range candidates {
		if ed25519.Verify(k.Key, input, sig) {
			return nil
		}
	}
	return fmt.Errorf("%w: the signature does not verify (key id %q)", errSignature, h.Kid)
}

// PublicKey is a verification key with its key ID ("" when configured as a
// bare key, which then verifies any kid).
type PublicKey struct {
	ID  string
	Key ed25519.PublicKey
}

// jwk is an OKP JSON Web Key (RFC 8037).
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// KeyID returns the RFC 7638 thumbprint of an Ed25519 public key, the key
// ID this package uses by default.
func KeyID(pub ed25519.PublicKey) string {
	// Members in lexicographic order, no white space (RFC 7638 section 3).
	s := `{"crv":"Ed25519","kty":"OKP","x":"` + b64.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(s))
	return b64.EncodeToString(sum[:])
}

// JWK returns the public key as a JSON Web Key, the form an operator hands
// to a peer for its `peer add`.
func JWK(pub ed25519.PublicKey, kid string) string {
	b, _ := json.Marshal(jwk{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pub), Kid: kid, Use: "sig", Alg: "EdDSA"})
	return string(b)
}

// JWKS returns a JSON Web Key Set of the keys.
func JWKS(keys ...PublicKey) []byte {
	set := jwks{Keys: []jwk{}}
	for _, k := range keys {
		set.Keys = append(set.Keys, jwk{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(k.Key), Kid: k.ID, Use: "sig", Alg: "EdDSA"})
	}
	b, _ := json.Marshal(set)
	return b
}

// ParsePublicKeys reads a peer's verification key(s) in any of the forms an
// operator is likely to paste: a JWK, a JWK Set, a PEM "PUBLIC KEY", or the
// 32 raw key bytes in base64 or base64url.
func ParsePublicKeys(s string) ([]PublicKey, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, errors.New("no public key")
	case strings.HasPrefix(s, "{"):
		var probe struct {
			Keys json.RawMessage `json:"keys"`
		}
		if err := json.Unmarshal([]byte(s), &probe); err != nil {
			return nil, fmt.Errorf("public key is not JSON: %v", err)
		}
		var set jwks
		if probe.Keys != nil {
			if err := json.Unmarshal([]byte(s), &set); err != nil {
				return nil, fmt.Errorf("JWK set: %v", err)
			}
		} else {
			var k jwk
			if err := json.Unmarshal([]byte(s), &k); err != nil {
				return nil, fmt.Errorf("JWK: %v", err)
			}
			set.Keys = []jwk{k}
		}
		var out []PublicKey
		for _, k := range set.Keys {
			if k.Kty != "OKP" || k.Crv != "Ed25519" {
				continue // other key types may sit in a set; we verify EdDSA only
			}
			x, err := b64.DecodeString(k.X)
			if err != nil || len(x) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("JWK %q: x is not a 32-byte base64url key", k.Kid)
			}
			out = append(out, PublicKey{ID: k.Kid, Key: ed25519.PublicKey(x)})
		}
		if len(out) == 0 {
			return nil, errors.New("no Ed25519 key (kty OKP, crv Ed25519) in the JWK(s)")
		}
		return out, nil
	case strings.HasPrefix(s, "-----BEGIN"):
		blk, _ := pem.Decode([]byte(s))
		if blk == nil || blk.Type != "PUBLIC KEY" {
			return nil, errors.New("PEM block is not a PUBLIC KEY")
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM public key: %v", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, errors.New("PEM public key is not Ed25519")
		}
		return []PublicKey{{Key: pub}}, nil
	default:
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
				return []PublicKey{{Key: ed25519.PublicKey(b)}}, nil
			}
		}
		return nil, errors.New("public key is neither a JWK, a JWK set, PEM nor 32 bytes of base64")
	}
}

// LoadOrCreateKey reads the feed's signing key from a PEM file ("PRIVATE
// KEY", PKCS #8), creating the file with a new key (mode 0600) if it does
// not exist.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
			f.Close()
			return nil, err
		}
		return key, f.Close()
	}
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: no PEM PRIVATE KEY block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an Ed25519 key", path)
	}
	return key, nil
}
