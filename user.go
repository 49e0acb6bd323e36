package truce

import (
	"regexp"
	"slices"
	"time"
)

// Role decides what a user may do.
type Role string

// Roles. The public is the anonymous caller and has no user record.
const (
	RoleAdmin   Role = "admin"
	RoleMonitor Role = "monitor"
	RoleLiaison Role = "liaison" // bound to one party
	RoleAnalyst Role = "analyst"
	RolePublic  Role = "public"
)

// Roles lists the roles a user record may hold.
var Roles = []Role{RoleAdmin, RoleMonitor, RoleLiaison, RoleAnalyst}

// User is a person or system with credentials.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Party     string    `json:"party,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Disabled  bool      `json:"disabled,omitempty"`
}

var userName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,63}$`)

// Validate checks a user record.
func (u User) Validate() error {
	if !userName.MatchString(u.Name) {
		return Invalid("name", "%q is not a user name (letters, digits, _ . @ -, up to 64)", u.Name)
	}
	if !slices.Contains(Roles, u.Role) {
		return Invalid("role", "unknown role %q (admin, monitor, liaison, analyst)", u.Role)
	}
	if u.Role == RoleLiaison && u.Party == "" {
		return Invalid("party", "a liaison is bound to one party")
	}
	if u.Role != RoleLiaison && u.Party != "" {
		return Invalid("party", "only a liaison is bound to a party")
	}
	return nil
}
