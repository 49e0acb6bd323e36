package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/store"
)

// Webhook URLs are chosen by admins, but a server that POSTs wherever it
// is told is a way into the network behind it (server-side request
// forgery): the cloud's metadata service at 169.254.169.254, a database
// on 127.0.0.1:5432, an admin page on 10.0.0.1. So a webhook may reach
// only public addresses, checked twice: when it is registered (CheckURL,
// for a clear 400) and on every connection (Transport's dialer), since a
// name may resolve elsewhere later (DNS rebinding). A deployment whose
// receivers are on its own network turns the check off (AllowPrivate).

// refusedPrefixes are the special-purpose ranges a webhook may not reach
// beyond what netip's predicates cover (RFC 6890 and successors).
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network": 0.0.0.0 reaches the host itself
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, also cloud metadata (100.100.100.200)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated), with :: and ::1
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// embeddedV4 are IPv6 ranges that carry an IPv4 address a gateway
// forwards to: the embedded address is checked as well.
var embeddedV4 = []struct {
	prefix netip.Prefix
	at     int // byte offset of the IPv4 address
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12}, // NAT64
	{netip.MustParsePrefix("2002::/16"), 2},     // 6to4
}

// Refused reports whether a webhook may not connect to a: loopback,
// private (RFC 1918, fc00::/7), link-local (169.254.0.0/16 with the
// metadata services, fe80::/10), unspecified, multicast and the other
// special-purpose ranges, also inside IPv4-mapped, NAT64 and 6to4
// addresses.
func Refused(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return true
	}
	for _, p := range refusedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	if a.Is6() {
		b := a.As16()
		for _, e := range embeddedV4 {
			if e.prefix.Contains(a) && Refused(netip.AddrFrom4([4]byte(b[e.at:e.at+4]))) {
				return true
			}
		}
	}
	return false
}

// errRefused is the error of a connection to a refused address.
var errRefused = errors.New("private, loopback or link-local address: webhooks reach only public addresses")

// lookupTimeout bounds the name lookup of CheckURL.
const lookupTimeout = 5 * time.Second

// CheckURL returns EINVALID (field url) for a webhook URL that is not an
// absolute http or https URL (store.CheckWebhookURL) or, unless
// allowPrivate, whose host is or resolves to a refused address (see
// Refused). A name that does not resolve now is let through: it may
// exist later, and every connection is checked again.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	if err := store.CheckWebhookURL(raw); err != nil {
		return err
	}
	if allowPrivate {
		return nil
	}
	u, _ := url.Parse(raw) // checked above
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if Refused(a) {
			return truce.Invalid("url", "%s is a %v", host, errRefused)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if Refused(a) {
			return truce.Invalid("url", "%s resolves to %s, a %v", host, a.Unmap(), errRefused)
		}
	}
	return nil
}

// refuseControl is a net.Dialer Control function that refuses, after the
// name is resolved and before the connection is made, every refused
// address.
func refuseControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook: connect to %s: %w", address, err)
	}
	if Refused(ap.Addr()) {
		return fmt.Errorf("webhook: connect to %s refused: %w", address, errRefused)
	}
	return nil
}

// Transport returns the transport of deliveries: without a proxy (a
// proxy would make the connection, out of reach of the address check),
// and, unless allowPrivate, refusing to connect to any refused address.
func Transport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refuseControl
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = d.DialContext
	return t
}
