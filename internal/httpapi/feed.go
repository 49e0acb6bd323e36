package httpapi

// feedRoutes registers the live event stream, webhooks and exports.
func (s *Server) feedRoutes() {}
