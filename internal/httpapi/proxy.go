package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
)

// Behind a reverse proxy the connection comes from the proxy; the client
// is in X-Forwarded-For and the scheme in X-Forwarded-Proto. Those
// headers are believed only from the proxies in Config.TrustedProxies,
// since anyone else can write them.

// remoteAddr returns the address of the connection's peer.
func remoteAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func (s *Server) trusted(a netip.Addr) bool {
	return a.IsValid() && slices.ContainsFunc(s.proxies, func(p netip.Prefix) bool { return p.Contains(a) })
}

// clientIP returns the client's address: the peer's, or, when the peer
// is a trusted proxy, the nearest address in X-Forwarded-For that is not
// one (walking from the right, the hops the trusted proxies appended).
func (s *Server) clientIP(r *http.Request) netip.Addr {
	a := remoteAddr(r)
	if !s.trusted(a) {
		return a
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: trust nothing further left
		}
		a = h.Unmap()
		if !s.trusted(a) {
			return a
		}
	}
	return a
}

// isHTTPS reports whether the client reached us over HTTPS, directly or
// through a trusted proxy that says so; the session cookie is then
// marked Secure.
func (s *Server) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !s.trusted(remoteAddr(r)) {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}
