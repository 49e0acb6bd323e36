package httpapi

// negotiationRoutes registers the negotiation track under
// /api/v1/negotiation/.
func (s *Server) negotiationRoutes() {}
