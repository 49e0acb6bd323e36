package incident

import (
	"slices"

	"github.com/truce-monitor/truce"
)

// SystemUser is who the store names for what grouping does by itself:
// the automatic move to corroborated when independent sources agree.
const SystemUser = "system"

// MayTransition reports whether a user in role may move an incident to
// status to. Only monitors move incidents by hand: they verify, dispute
// and reject, and they correct their own steps (back to alleged or
// corroborated) with a new transition. An admin runs the mission but does
// not judge incidents; liaisons, analysts and the public only read (a
// liaison replies instead). Whether the step itself is allowed from the
// incident's current status is truce.CanTransition.
func MayTransition(role truce.Role, to truce.IncidentStatus) bool {
	return role == truce.RoleMonitor && slices.Contains(truce.IncidentStatuses, to)
}
