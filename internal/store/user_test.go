package store_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/ledger"
	"github.com/truce-monitor/truce/internal/store"
)

func TestUsers(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		if _, err := db.PutParty(ctx, truce.Party{Code: "UA", Name: "Ukraine"}, "test"); err != nil {
			t.Fatal(err)
		}
		at := clk.peek()
		mon := truce.User{Name: "mona", Role: truce.RoleMonitor}
		if err := db.CreateUser(ctx, &mon, "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "admin"); err != nil {
			t.Fatal(err)
		}
		if mon.ID != 1 || !mon.CreatedAt.Equal(at) {
			t.Errorf("created %+v, want id 1 at %v", mon, at)
		}
		liaison := truce.User{Name: "lia", Role: truce.RoleLiaison, Party: "UA"}
		if err := db.CreateUser(ctx, &liaison, "", "admin"); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			u     truce.User
			code  string
			field string
		}{
			{truce.User{Name: "mona", Role: truce.RoleAnalyst}, truce.ECONFLICT, ""},
			{truce.User{Name: "x", Role: truce.RoleLiaison, Party: "RU"}, truce.EINVALID, "party"},
			{truce.User{Name: "x", Role: truce.RoleLiaison}, truce.EINVALID, "party"},
			{truce.User{Name: "x", Role: "god"}, truce.EINVALID, "role"},
			{truce.User{Name: "has space", Role: truce.RoleAdmin}, truce.EINVALID, "name"},
		} {
			err := db.CreateUser(ctx, &bad.u, "", "admin")
			if truce.ErrorCode(err) != bad.code {
				t.Errorf("CreateUser(%+v) = %v, want %s", bad.u, err, bad.code)
			}
			if e, ok := err.(*truce.Error); ok && e.Field != bad.field {
				t.Errorf("CreateUser(%+v) field %q, want %q", bad.u, e.Field, bad.field)
			}
		}

		got, hash, err := db.PasswordHash(ctx, "mona")
		if err != nil || got != mon || !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("PasswordHash = %+v %q %v", got, hash, err)
		}
		if _, hash, _ := db.PasswordHash(ctx, "lia"); hash != "" {
			t.Errorf("a user without a password has hash %q", hash)
		}
		if _, err := db.User(ctx, "nobody"); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("unknown user: %v", err)
		}

		// A change is a new logged version; an unchanged one is nothing.
		mon.Disabled = true
		if u, err := db.UpdateUser(ctx, mon, "admin"); err != nil || !u.Disabled {
			t.Fatalf("UpdateUser = %+v, %v", u, err)
		}
		if _, err := db.UpdateUser(ctx, mon, "admin"); err != nil {
			t.Fatal(err)
		}
		entries := checkLog(t, db, 4) // party, two users, one change
		var users []string
		for _, e := range entries {
			if e.Kind == ledger.KindUser {
				users = append(users, e.RecordID)
				if strings.Contains(string(e.Data), "argon2") {
					t.Errorf("a user leaf holds a password hash: %s", e.Data)
				}
			}
		}
		if strings.Join(users, " ") != "1@1 2@1 1@2" {
			t.Errorf("user leaves %v, want 1@1 2@1 1@2", users)
		}
		us, err := db.Users(ctx)
		if err != nil || len(us) != 2 || !us[0].Disabled || us[1].Party != "UA" {
			t.Errorf("Users = %+v, %v", us, err)
		}
	})
}

func TestTokensAndSessions(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *store.DB, clk *clock) {
		ctx := context.Background()
		u := truce.User{Name: "ana", Role: truce.RoleAnalyst}
		if err := db.CreateUser(ctx, &u, "", "admin"); err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256([]byte("token one"))
		id, err := db.CreateToken(ctx, u.ID, h)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.TokenUser(ctx, h); err != nil || got.Name != "ana" {
			t.Errorf("TokenUser = %+v, %v", got, err)
		}
		if got, err := db.TokenID(ctx, h); err != nil || got != id {
			t.Errorf("TokenID = %d, %v; want %d", got, err, id)
		}
		if _, err := db.TokenUser(ctx, sha256.Sum256([]byte("other"))); truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			t.Errorf("unknown token: %v", err)
		}
		if err := db.RevokeToken(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeToken(ctx, id); err != nil {
			t.Errorf("revoking twice: %v", err)
		}
		if _, err := db.TokenUser(ctx, h); truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			t.Errorf("revoked token: %v", err)
		}
		if err := db.RevokeToken(ctx, 99); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("revoking an unknown token: %v", err)
		}
		if _, err := db.CreateToken(ctx, 99, h); truce.ErrorCode(err) != truce.ENOTFOUND {
			t.Errorf("token for an unknown user: %v", err)
		}

		// The test clock moves a second per reading: a session valid for
		// an hour is good now, one that ends in a second is gone by the
		// time it is read.
		s1, s2 := sha256.Sum256([]byte("s1")), sha256.Sum256([]byte("s2"))
		if err := db.CreateSession(ctx, u.ID, s1, clk.peek().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, u.ID, s2, clk.peek().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if got, err := db.SessionUser(ctx, s1); err != nil || got.ID != u.ID {
			t.Errorf("SessionUser = %+v, %v", got, err)
		}
		if _, err := db.SessionUser(ctx, s2); truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			t.Errorf("expired session: %v", err)
		}
		if err := db.DeleteSession(ctx, s1); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, s1); truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			t.Errorf("deleted session: %v", err)
		}

		// A new password ends the user's sessions.
		if err := db.CreateSession(ctx, u.ID, s1, clk.peek().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPassword(ctx, "ana", "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, s1); truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			t.Errorf("session after a password change: %v", err)
		}
		// A disabled user's tokens stop working.
		h2 := sha256.Sum256([]byte("token two"))
		if _, err := db.CreateToken(ctx, u.ID, h2); err != nil {
			t.Fatal(err)
		}
		u.Disabled = true
		if _, err := db.UpdateUser(ctx, u, "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TokenUser(ctx, h2); truce.ErrorCode(err) != truce.EUNAUTHORIZED {
			t.Errorf("disabled user's token: %v", err)
		}
	})
}
