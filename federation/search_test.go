package federation

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// graphQLPeer is a peer's /graphql on loopback that answers search with
// hits, or misbehaves.
func graphQLPeer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func searchAnswer(hits ...[2]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/graphql" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Query string `json:"query"`
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &req)
		if !strings.Contains(req.Query, `search(query: "Hund \"steuer\"", ars: "066110000000", first: 10)`) {
			http.Error(w, "unexpected query "+req.Query, http.StatusBadRequest)
			return
		}
		type svc struct {
			ID        string   `json:"id"`
			LeikaKeys []string `json:"leikaKeys"`
		}
		type hit struct {
			Score   float64 `json:"score"`
			Service svc     `json:"service"`
		}
		var out []hit
		for i, h := range hits {
			out = append(out, hit{Score: float64(10 - i), Service: svc{ID: h[0], LeikaKeys: []string{h[1]}}})
		}
		w.Header().Set("Content-Type", "application/graphql-response+json")
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"search": map[string]any{"hits": out}}})
	}
}

// searchAnswerAny answers any search with one hit.
func searchAnswerAny(id, leika string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		drain(r)
		io.WriteString(w, `{"data":{"search":{"hits":[{"score":1,"service":{"id":"`+id+`","leikaKeys":["`+leika+`"]}}]}}}`)
	}
}

// drain reads the request body, so that the server notices a client that
// leaves (it watches the connection only once the body is read).
func drain(r *http.Request) { io.Copy(io.Discard, r.Body) }

func TestFanOut(t *testing.T) {
	good := graphQLPeer(t, searchAnswer([2]string{"BY.LB.0000000001", "99020000000001"}, [2]string{"BY.LB.0000000002", "99020000000002"}))
	var slowCalls atomic.Int32
	slow := graphQLPeer(t, func(w http.ResponseWriter, r *http.Request) {
		slowCalls.Add(1)
		drain(r)
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	failing := graphQLPeer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"errors":[{"message":"internal"}]}`, http.StatusInternalServerError)
	})
	garbage := graphQLPeer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"data":{"search":{"hits":[{"sc`) })
	peers := []Peer{
		{ID: "BY", URL: good.URL, RegionKey: "090000000000"},
		{ID: "NW", URL: slow.URL, RegionKey: "050000000000"},
		{ID: "SN", URL: failing.URL, RegionKey: "140000000000"},
		{ID: "TH", URL: garbage.URL, RegionKey: "160000000000"},
	}
	f := NewFanOut(peers, FanOutOptions{PeerTimeout: 300 * time.Millisecond, Timeout: 600 * time.Millisecond, FailureThreshold: 2, Cooldown: time.Minute})
	q := SearchQuery{Query: `Hund "steuer"`, ARS: "066110000000", First: 10}

	// The slow peer answers after 3 s: its status says the deadline cut it off.
	res := f.Search(ctx, q)
	want := map[string]string{"BY": PeerOK, "NW": PeerTimeout, "SN": PeerError, "TH": PeerError}
	for _, r := range res {
		if r.Status != want[r.Peer] {
			t.Errorf("%s: status %s (%s), want %s", r.Peer, r.Status, r.Err, want[r.Peer])
		}
	}
	if len(res[0].Hits) != 2 || res[0].Hits[0] != (Hit{Origin: "BY", LeikaKey: "99020000000001", ServiceID: "BY.LB.0000000001", Score: 10, RegionKey: "090000000000"}) {
		t.Errorf("hits: %+v", res[0].Hits)
	}
	if !strings.Contains(res[2].Err, "500") || !strings.Contains(res[3].Err, "not GraphQL JSON") {
		t.Errorf("errors: %q, %q", res[2].Err, res[3].Err)
	}

	// A second failure opens the circuits of the failing peers.
	f.Search(ctx, q)
	res = f.Search(ctx, q)
	for _, r := range res[1:] {
		if r.Status != PeerCircuitOpen {
			t.Errorf("%s: %s after repeated failures, want circuit-open", r.Peer, r.Status)
		}
	}
	if res[0].Status != PeerOK {
		t.Errorf("good peer: %s", res[0].Status)
	}
	// With the circuits open, the answer no longer waits for the slow peer:
	// it is not even asked.
	before := slowCalls.Load()
	f.Search(ctx, q)
	if n := slowCalls.Load() - before; n != 0 {
		t.Errorf("fan-out with open circuits asked the slow peer %d times", n)
	}

	// After the cooldown one probe goes through; success closes the circuit.
	now := time.Now().Add(2 * time.Minute)
	opt := f.opt
	opt.Now = func() time.Time { return now }
	peers[2].URL = good.URL
	f2 := NewFanOut(peers, opt)
	f2.breakers = f.breakers
	res = f2.Search(ctx, q)
	if res[2].Status != PeerOK {
		t.Errorf("probe after cooldown: %s %s", res[2].Status, res[2].Err)
	}
	if res := f2.Search(ctx, q); res[2].Status != PeerOK {
		t.Errorf("circuit after a good probe: %s", res[2].Status)
	}
}

// TestFanOutOverallDeadline: the overall deadline holds even when the
// per-peer deadline is longer.
func TestFanOutOverallDeadline(t *testing.T) {
	slow := graphQLPeer(t, func(w http.ResponseWriter, r *http.Request) {
		drain(r)
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	f := NewFanOut([]Peer{{ID: "NW", URL: slow.URL}}, FanOutOptions{PeerTimeout: 5 * time.Second, Timeout: 200 * time.Millisecond})
	// The peer would answer after 3 s, within its own deadline: only the
	// overall one can make it a timeout.
	res := f.Search(context.Background(), SearchQuery{Query: "x"})
	if res[0].Status != PeerTimeout {
		t.Errorf("status %s, want %s (the overall deadline)", res[0].Status, PeerTimeout)
	}
}

func TestMerge(t *testing.T) {
	const (
		kfz   = "99036008012000"
		hund  = "99078005000000"
		perso = "99102013104000"
	)
	for _, tc := range []struct {
		name  string
		local []Hit
		peers []PeerResult
		place string
		want  []Hit
	}{
		{
			name:  "LocalOnly",
			local: []Hit{{Origin: "HE", LeikaKey: kfz, ServiceID: "HE.LB.1"}, {Origin: "HE", LeikaKey: hund, ServiceID: "HE.LB.2"}},
			want: []Hit{{Origin: "HE", LeikaKey: kfz, ServiceID: "HE.LB.1", Score: 1.0 / 61},
				{Origin: "HE", LeikaKey: hund, ServiceID: "HE.LB.2", Score: 1.0 / 62}},
		},
		{
			name:  "FusedAndDeduplicated",
			local: []Hit{{Origin: "HE", LeikaKey: hund, ServiceID: "HE.LB.2", RegionKey: "060000000000"}, {Origin: "HE", LeikaKey: kfz, ServiceID: "HE.LB.1", RegionKey: "060000000000"}},
			peers: []PeerResult{
				{Peer: "BY", Status: PeerOK, Hits: []Hit{{Origin: "BY", LeikaKey: kfz, ServiceID: "BY.LB.9", RegionKey: "090000000000"}, {Origin: "BY", LeikaKey: perso, ServiceID: "BY.LB.8", RegionKey: "090000000000"}}},
				{Peer: "BUND", Status: PeerOK, Hits: []Hit{{Origin: "BUND", LeikaKey: kfz, ServiceID: "BUND.LB.7", RegionKey: "000000000000"}}},
				{Peer: "NW", Status: PeerTimeout, Hits: []Hit{{Origin: "NW", LeikaKey: hund, ServiceID: "NW.LB.1"}}},
			},
			place: "066110000000", // Kassel: Hessen's description is the most local
			want: []Hit{
				{Origin: "HE", LeikaKey: kfz, ServiceID: "HE.LB.1", RegionKey: "060000000000", Score: 1.0/62 + 1.0/61 + 1.0/61},
				{Origin: "HE", LeikaKey: hund, ServiceID: "HE.LB.2", RegionKey: "060000000000", Score: 1.0 / 61},
				{Origin: "BY", LeikaKey: perso, ServiceID: "BY.LB.8", RegionKey: "090000000000", Score: 1.0 / 62},
			},
		},
		{
			name:  "MostLocalAuthorityWins",
			local: []Hit{{Origin: "HE", LeikaKey: kfz, ServiceID: "HE.LB.1", RegionKey: "060000000000"}},
			peers: []PeerResult{
				{Peer: "BY", Status: PeerOK, Hits: []Hit{{Origin: "BY", LeikaKey: kfz, ServiceID: "BY.LB.9", RegionKey: "090000000000"}}},
				{Peer: "BUND", Status: PeerOK, Hits: []Hit{{Origin: "BUND", LeikaKey: kfz, ServiceID: "BUND.LB.7", RegionKey: "000000000000"}}},
			},
			place: "091620000000", // München: Bavaria's description, not ours
			want:  []Hit{{Origin: "BY", LeikaKey: kfz, ServiceID: "BY.LB.9", RegionKey: "090000000000", Score: 3.0 / 61}},
		},
		{
			name:  "BundBeforeForeignState",
			peers: []PeerResult{{Peer: "BY", Status: PeerOK, Hits: []Hit{{Origin: "BY", LeikaKey: kfz, ServiceID: "BY.LB.9", RegionKey: "090000000000"}}}, {Peer: "BUND", Status: PeerOK, Hits: []Hit{{Origin: "BUND", LeikaKey: kfz, ServiceID: "BUND.LB.7", RegionKey: "000000000000"}}}},
			place: "066110000000",
			want:  []Hit{{Origin: "BUND", LeikaKey: kfz, ServiceID: "BUND.LB.7", RegionKey: "000000000000", Score: 2.0 / 61}},
		},
		{
			name:  "CountedOncePerList",
			local: []Hit{{Origin: "HE", LeikaKey: kfz, ServiceID: "HE.LB.1"}, {Origin: "BY", LeikaKey: kfz, ServiceID: "BY.LB.9"}},
			want:  []Hit{{Origin: "HE", LeikaKey: kfz, ServiceID: "HE.LB.1", Score: 1.0 / 61}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Merge(tc.local, tc.peers, tc.place)
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if d := got[i].Score - tc.want[i].Score; d > 1e-12 || d < -1e-12 {
					t.Errorf("[%d] score %v, want %v", i, got[i].Score, tc.want[i].Score)
				}
				got[i].Score, tc.want[i].Score = 0, 0
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
