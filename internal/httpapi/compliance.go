package httpapi

// complianceRoutes registers the daily compliance report and alert rules.
func (s *Server) complianceRoutes() {}
