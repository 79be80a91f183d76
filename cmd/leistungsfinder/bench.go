package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"sync"
	"time"
)

// BenchQuery is what the load command asks: a portal page for one service
// in one place.
const BenchQuery = `query Local($leika: String!, $ars: String!) {
  localService(leikaKey: $leika, ars: $ars) {
    name
    localization { language isFallback }
    texts { code label text { text language isFallback } }
    fees { kind formatted description { text } }
    processingTime { duration { formatted } }
    responsibleOffices {
      name inherited inheritedFrom { name level }
      address { street postalCode city }
      openingHours
      channels { kind value }
      contacts { name }
    }
    onlineServices { title links { url } }
  }
}`

type benchResult struct {
	requests   int
	errors     int
	throughput float64
	p50, p99   time.Duration
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "base URL of a running server (default: start one in-process with the demo catalogue)")
	clients := fs.Int("c", 16, "concurrent clients")
	dur := fs.Duration("d", 5*time.Second, "duration of each run")
	runs := fs.Int("runs", 3, "runs per target; the median is reported")
	leika := fs.String("leika", "99050012104000", "LeiKa key to ask for")
	ars := fs.String("ars", "066360003003", "region key to ask for")
	cacheSize := fs.Int("response-cache", 0, "for the in-process server: anonymous answers it keeps (0: every request is computed)")
	rate := fs.Int("rate", 0, "total requests per second, paced (0: as fast as the clients go); latency is measured from the scheduled time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clients < 1 || *runs < 1 || *dur <= 0 {
		return errors.New("bench: -c, -runs and -d must be positive")
	}
	base := *url
	if base == "" {
		dir, err := os.MkdirTemp("", "leistungsfinder-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", GCPercent: 400, ResponseCache: *cacheSize, Log: newLogger(io.Discard, "error")}
		fmt.Fprintln(stdout, "starting an in-process server with the demo catalogue ...")
		if err := s.Open(ctx); err != nil {
			s.Close()
			return err
		}
		defer s.Close()
		base = s.URL()
	}
	body, _ := json.Marshal(map[string]any{"query": BenchQuery, "variables": map[string]string{"leika": *leika, "ars": *ars}})
	target := base + "/graphql"

	// The baseline serves the very bytes the catalogue answered with, from
	// a plain net/http handler on loopback, under the same load.
	want, err := post(ctx, http.DefaultClient, target, body)
	if err != nil {
		return fmt.Errorf("first request: %w", err)
	}
	if bytes.Contains(want, []byte(`"errors"`)) || !bytes.Contains(want, []byte(`"localService":{`)) {
		return fmt.Errorf("the server answered with an error: %.300s", want)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	baseline := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(want)
	})}
	go baseline.Serve(ln)
	defer baseline.Close()
	baselineURL := "http://" + ln.Addr().String() + "/graphql"

	pace := "as fast as they go"
	if *rate > 0 {
		pace = fmt.Sprintf("paced at %d req/s", *rate)
	}
	fmt.Fprintf(stdout, "bench: %d clients %s, %d runs of %s each, response %d bytes\n", *clients, pace, *runs, *dur, len(want))
	var lf, plain []benchResult
	for i := 0; i < *runs; i++ {
		for _, t := range []struct {
			name string
			url  string
			into *[]benchResult
		}{{"localService", target, &lf}, {"baseline", baselineURL, &plain}} {
			r := load(ctx, t.url, body, *clients, *dur, *rate)
			*t.into = append(*t.into, r)
			fmt.Fprintf(stdout, "  run %d/%d %-12s %8.0f req/s  p50 %-9s p99 %-9s errors %d\n", i+1, *runs, t.name,
				r.throughput, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	m, b := medianResult(lf), medianResult(plain)
	fmt.Fprintf(stdout, "summary: localService %.0f req/s p50 %s p99 %s | baseline net/http %.0f req/s p50 %s p99 %s | throughput ratio %.2f\n",
		m.throughput, m.p50.Round(time.Microsecond), m.p99.Round(time.Microsecond),
		b.throughput, b.p50.Round(time.Microsecond), b.p99.Round(time.Microsecond), m.throughput/b.throughput)
	if m.errors > 0 {
		return fmt.Errorf("%d requests failed", m.errors)
	}
	return nil
}

func post(ctx context.Context, c *http.Client, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %s", resp.Status)
	}
	return b, err
}

// load drives url with n clients for d and measures every request. With
// rate > 0 the requests are scheduled at that total rate and each latency
// counts from its scheduled time, so a stall shows in the percentiles
// instead of silently lowering the load (no coordinated omission).
func load(ctx context.Context, url string, body []byte, n int, d time.Duration, rate int) benchResult {
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var slots chan time.Time
	if rate > 0 {
		slots = make(chan time.Time, rate)
		go func() {
			interval := time.Second / time.Duration(rate)
			next := time.Now()
			for ctx.Err() == nil {
				for !time.Now().Before(next) {
					slots <- next // when clients are behind, the slot is late, not lost
					next = next.Add(interval)
				}
				time.Sleep(time.Until(next))
			}
			close(slots)
		}()
	}
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			bad := 0
			for ctx.Err() == nil {
				t := time.Now()
				if slots != nil {
					var ok bool
					if t, ok = <-slots; !ok {
						break
					}
				}
				_, err := post(ctx, client, url, body)
				if ctx.Err() != nil {
					break
				}
				if err != nil {
					bad++
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(all)
	r := benchResult{requests: len(all), errors: errs, throughput: float64(len(all)) / elapsed.Seconds()}
	if len(all) > 0 {
		r.p50 = all[len(all)*50/100]
		r.p99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return r
}

func medianResult(rs []benchResult) benchResult {
	med := func(f func(benchResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	errs := 0
	for _, r := range rs {
		errs += r.errors
	}
	return benchResult{
		throughput: med(func(r benchResult) float64 { return r.throughput }),
		p50:        time.Duration(med(func(r benchResult) float64 { return float64(r.p50) })),
		p99:        time.Duration(med(func(r benchResult) float64 { return float64(r.p99) })),
		errors:     errs,
	}
}
