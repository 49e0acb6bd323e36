package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// target is one kind of request the load generator sends; next builds
// the i-th request.
type target struct {
	name string
	next func(i int64, rng *rand.Rand) (*http.Request, error)
}

// result is what one target measured.
type result struct {
	name      string
	requests  int
	errors    int
	p50, p99  time.Duration
	perSecond float64
	firstErr  string
}

// runLoad sends each target's requests for a while, with a number of
// concurrent clients over loopback, and prints a Markdown table of the
// latencies and throughput.
func runLoad(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "the server")
	token := fs.String("token", "", "a monitor's API token (bench/api token)")
	duration := fs.Duration("duration", 10*time.Second, "how long each target is measured")
	conc := fs.Int("c", 4, "concurrent clients")
	only := fs.String("only", "", "comma-separated target names to run (default all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return fmt.Errorf("load: --token is required")
	}
	runID := time.Now().UnixNano()
	targets := targets(strings.TrimRight(*base, "/"), *token, runID)
	tr := &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	fmt.Fprintf(stdout, "| request | clients | requests | errors | p50 ms | p99 ms | req/s |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, t := range targets {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), t.name) {
			continue
		}
		r := measure(ctx, hc, t, *conc, *duration)
		fmt.Fprintf(stdout, "| %s | %d | %d | %d | %.1f | %.1f | %.0f |\n", r.name, *conc, r.requests, r.errors,
			ms(r.p50), ms(r.p99), r.perSecond)
		if r.firstErr != "" {
			fmt.Fprintf(stdout, "|   first error: %s | | | | | | |\n", strings.ReplaceAll(r.firstErr, "|", "/"))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// targets are the requests issue #6 asks to measure: the incident list
// filtered by a bounding box and a time window, statistics over a time
// window and over everything, and filing reports.
func targets(base, token string, runID int64) []target {
	get := func(path string) (*http.Request, error) {
		req, err := http.NewRequest("GET", base+path, nil)
		if err == nil {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req, err
	}
	// The generated data: eastern Europe, 2014 to 2023.
	start := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC).Sub(start)
	window := func(rng *rand.Rand, days int) (string, string) {
		from := start.Add(time.Duration(rng.Int64N(int64(span))))
		return from.Format(time.RFC3339), from.AddDate(0, 0, days).Format(time.RFC3339)
	}
	return []target{
		{"GET /incidents?bbox (1°×1°)&from&to (30 days)", func(_ int64, rng *rand.Rand) (*http.Request, error) {
			w, s := 30+rng.Float64()*8, 46+rng.Float64()*5
			from, to := window(rng, 30)
			return get(fmt.Sprintf("/api/v1/incidents?bbox=%.3f,%.3f,%.3f,%.3f&from=%s&to=%s&limit=100", w, s, w+1, s+1, from, to))
		}},
		{"GET /incidents?bbox (3°×2°)&from&to (1 year)", func(_ int64, rng *rand.Rand) (*http.Request, error) {
			w, s := 30+rng.Float64()*6, 46+rng.Float64()*4
			from, to := window(rng, 365)
			return get(fmt.Sprintf("/api/v1/incidents?bbox=%.3f,%.3f,%.3f,%.3f&from=%s&to=%s&limit=100", w, s, w+3, s+2, from, to))
		}},
		{"GET /stats?from&to (30 days)&group=party", func(_ int64, rng *rand.Rand) (*http.Request, error) {
			from, to := window(rng, 30)
			return get("/api/v1/stats?group=party&from=" + from + "&to=" + to)
		}},
		{"GET /stats?group=party (all)", func(_ int64, rng *rand.Rand) (*http.Request, error) {
			return get("/api/v1/stats?group=party")
		}},
		{"POST /reports", func(i int64, rng *rand.Rand) (*http.Request, error) {
			from := start.Add(time.Duration(rng.Int64N(int64(span)))).Format(time.RFC3339)
			body := fmt.Sprintf(`{"external_id":"bench-%d-%d","source":{"kind":"monitor","name":"Bench patrol"},`+
				`"occurred":{"from":%q,"to":%q},"place":{"lat":%.4f,"lon":%.4f,"radius_km":2},"domains":["land"],`+
				`"perpetrators":["Military Forces of Russia"],"description":"Shelling reported by the load generator."}`,
				runID, i, from, from, 47+rng.Float64()*3, 33+rng.Float64()*5)
			req, err := http.NewRequest("POST", base+"/api/v1/reports", bytes.NewReader([]byte(body)))
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}},
	}
}

// measure runs conc clients sending t's requests for d, after a short
// warm-up that is not counted.
func measure(ctx context.Context, hc *http.Client, t target, conc int, d time.Duration) result {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		firstErr  string
		seq       atomic.Int64
	)
	run := func(until time.Time, record bool, worker int) {
		rng := rand.New(rand.NewPCG(uint64(worker), uint64(time.Now().UnixNano())))
		for time.Now().Before(until) && ctx.Err() == nil {
			req, err := t.next(seq.Add(1), rng)
			if err != nil {
				panic(err)
			}
			begin := time.Now()
			resp, err := hc.Do(req.WithContext(ctx))
			var status int
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			lat := time.Since(begin)
			if !record {
				continue
			}
			mu.Lock()
			latencies = append(latencies, lat)
			if err != nil || status >= 300 {
				errs++
				if firstErr == "" {
					firstErr = fmt.Sprintf("status %d %v", status, err)
				}
			}
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	warm := time.Now().Add(min(d/5, 2*time.Second))
	for w := range conc {
		wg.Go(func() { run(warm, false, w) })
	}
	wg.Wait()
	begin := time.Now()
	until := begin.Add(d)
	for w := range conc {
		wg.Go(func() { run(until, true, w) })
	}
	wg.Wait()
	elapsed := time.Since(begin)
	slices.Sort(latencies)
	r := result{name: t.name, requests: len(latencies), errors: errs, firstErr: firstErr}
	if n := len(latencies); n > 0 {
		r.p50 = latencies[n*50/100]
		r.p99 = latencies[min(n*99/100, n-1)]
		r.perSecond = float64(n) / elapsed.Seconds()
	}
	return r
}
