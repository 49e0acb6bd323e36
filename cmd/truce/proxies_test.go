package main

import (
	"net/netip"
	"slices"
	"testing"
)

func TestParseProxies(t *testing.T) {
	got, err := parseProxies(" 10.1.2.3/8, 127.0.0.1 ,::1,")
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("parseProxies = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"10.0.0.0/33", "localhost", "1.2.3"} {
		if _, err := parseProxies(bad); err == nil {
			t.Errorf("parseProxies(%q) accepted it", bad)
		}
	}
	fs := newFlagSet("serve", "serve", nilWriter{})
	t.Setenv(envProxies, "192.0.2.0/24")
	cfg := serverFlags(fs, envDB, defaultDB)
	if cfg.envErr != nil || len(cfg.TrustedProxies) != 1 || cfg.TrustedProxies[0] != netip.MustParsePrefix("192.0.2.0/24") {
		t.Errorf("from the environment: %v %v", cfg.TrustedProxies, cfg.envErr)
	}
	t.Setenv(envProxies, "nonsense")
	if cfg := serverFlags(newFlagSet("serve", "serve", nilWriter{}), envDB, defaultDB); cfg.envErr == nil {
		t.Error("a malformed " + envProxies + " was accepted")
	}
}

type nilWriter struct{}

func (nilWriter) Write(b []byte) (int, error) { return len(b), nil }
