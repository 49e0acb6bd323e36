package incident

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/adjudicate"
)

// Judge judges incidents against the agreements of a set of terms, with
// the adjudication engine, so that every incident carries a finding for
// every adjudicated agreement. It is immutable and safe for concurrent
// use; build a new one when the terms change.
type Judge struct {
	eng      *adjudicate.Engine
	versions map[string]int
}

// NewJudge compiles the terms (agreements with their stored Version) for
// judging incidents. It returns the engine's EINVALID errors.
func NewJudge(t truce.Terms, g *Grouper) (*Judge, error) {
	eng, err := adjudicate.New(t, g.gz)
	if err != nil {
		return nil, err
	}
	j := &Judge{eng: eng, versions: map[string]int{}}
	for _, a := range t.Agreements {
		j.versions[a.ID] = max(a.Version, 1)
	}
	return j, nil
}

// Findings judges an incident as one event: its interval, its disk (or
// its admin-1 unit when byUnit: the incident is placed by a unit alone),
// its domains, targets and perpetrators (every account's, so that
// conflicting accounts make the engine's perpetrator test uncertain
// rather than pick one), and hostile when any report is a hostile act.
// It returns one finding per adjudicated agreement, outside ones
// included, so that a finding that no longer holds is replaced.
func (j *Judge) Findings(inc truce.Incident, hostile, byUnit bool, now time.Time) []truce.Finding {
	const f = "2006-01-02 15:04"
	ev := adjudicate.Event{
		ID: strconv.FormatInt(inc.ID, 10), From: inc.From, To: inc.To,
		When:    fmt.Sprintf("%s–%s UTC", inc.From.UTC().Format(f), inc.To.UTC().Format(f)),
		Hostile: hostile, Kind: "incident", Domains: inc.Domains, Perpetrators: inc.Perpetrators,
		Place: adjudicate.Place{Kind: adjudicate.PlacePoint, Lat: inc.Lat, Lon: inc.Lon, RadiusKm: inc.RadiusKm},
	}
	if byUnit && inc.Admin1 != "" {
		ev.Place.Kind, ev.Place.Admin1 = adjudicate.PlaceAdmin1, inc.Admin1
	}
	for _, t := range inc.Targets {
		if t == truce.TargetEnergy || t == truce.TargetCivilian {
			ev.Targets = append(ev.Targets, t)
		}
	}
	var out []truce.Finding
	j.eng.Judge(&ev, true, func(_ int, v adjudicate.Verdict) {
		out = append(out, truce.Finding{
			AgreementID: v.AgreementID, AgreementVersion: j.versions[v.AgreementID],
			SubjectKind: "incident", SubjectID: inc.ID,
			Verdict: v.Verdict, Party: v.Party, Reason: v.Reason, ComputedAt: now,
		})
	})
	return out
}

// Accused returns the parties an incident's reports accuse, by the
// parties' codes, names and aliases: who may reply to it.
func Accused(perpetrators []string, parties []truce.Party) []string {
	m := adjudicate.NewPartyMatcher(parties)
	seen := map[string]bool{}
	var out []string
	for _, p := range perpetrators {
		if code, ok := m.Match(p); ok && !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

// MatchParty returns a function that maps an actor name to the code of
// the party it names, by the parties' codes, names and aliases.
func MatchParty(parties []truce.Party) func(actor string) (string, bool) {
	return adjudicate.NewPartyMatcher(parties).Match
}
