package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// Rows written here in the ACLED export format (ACLED's own rows may not
// be copied), one per rule of the contract that the conversion carries.
const acledSample = `event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,actor2,civilian_targeting,country,latitude,longitude,geo_precision,notes
UKR1,2025-05-09,2025,1,Political violence,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),,,Ukraine,48.28,37.18,1,"Shahed drones hit a power substation near Pokrovsk."
UKR2,9 May 2025,2025,2,Political violence,Explosions/Remote violence,Shelling/artillery/missile attack,Military Forces of Ukraine (2019-),,,Russia,51.73,36.19,2,A sea drone struck a boat.
UKR3,15/04/2025,2025,3,Demonstrations,Protests,Peaceful protest,Protesters (Ukraine),,,Ukraine,50.45,30.52,3,
UKR4,2025-05-10,2025,1,Political violence,Violence against civilians,Attack,Military Forces of Russia (2000-),Civilians (Ukraine),Civilian targeting,Ukraine,46.63,32.61,1,Shots fired at a bus.
UKR5,2025-05-10,2025,1,Political violence,Battles,Armed clash,Military Forces of Russia (2000-),Military Forces of Ukraine (2019-),,Ukraine,48.0,37.8,1,Clashes.
UKR6,2025-02-30,2025,1,Political violence,Battles,Armed clash,A,B,,Ukraine,48.0,37.8,1,A day that does not exist.
UKR7,2025-05-10,2025,4,Political violence,Battles,Armed clash,A,B,,Ukraine,48.0,37.8,1,A precision out of range.
`

func TestACLED(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acled.csv")
	if err := os.WriteFile(path, []byte(acledSample), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := newMemSink()
	var errs bytes.Buffer
	sum, err := Run(t.Context(), sink, Options{Errors: &errs}, path)
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := path + `:7: event_date: "2025-02-30" names a day that does not exist` + "\n" +
		path + `:8: time_precision: "4" is not a code 1 to 3` + "\n"
	if sum.Files[0].Format != FormatACLED || sum.Imported != 5 || sum.Rejected != 2 || errs.String() != wantErrs {
		t.Fatalf("%+v\n%s", sum, errs.String())
	}
	get := func(id string) truce.Report {
		r, ok := sink.reports[[2]string{"import:acled", id}]
		if !ok {
			t.Fatalf("no report %s", id)
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		return r
	}
	tests := []struct {
		id                                   string
		occurred                             string // date precision tz
		place                                string // lat lon radius
		domains, targets, perpetrators, kind string
		notHostile                           bool
		description                          string
	}{
		{"UKR1", "2025-05-09 day Europe/Kyiv", "48.28 37.18 2", "air", "energy", "Military Forces of Russia (2000-)",
			"Explosions/Remote violence/Air/drone strike/Ukraine", false, "Shahed drones hit a power substation near Pokrovsk."},
		// Week precision: the date is the centre of the seven days (contract:
		// date-3..date+3), as the report's "week" means.
		{"UKR2", "2025-05-09 week Europe/Moscow", "51.73 36.19 15", "sea", "", "Military Forces of Ukraine (2019-)",
			"Explosions/Remote violence/Shelling/artillery/missile attack/Russia", false, "A sea drone struck a boat."},
		{"UKR3", "2025-04-01 month Europe/Kyiv", "50.45 30.52 50", "land", "", "",
			"Protests/Peaceful protest/Ukraine", true, "ACLED event UKR3: Protests/Peaceful protest"},
		{"UKR4", "2025-05-10 day Europe/Kyiv", "46.63 32.61 2", "land", "civilian", "Military Forces of Russia (2000-)",
			"Violence against civilians/Attack/Ukraine", false, "Shots fired at a bus."},
		{"UKR5", "2025-05-10 day Europe/Kyiv", "48 37.8 2", "land", "", "Military Forces of Russia (2000-);Military Forces of Ukraine (2019-)",
			"Battles/Armed clash/Ukraine", false, "Clashes."},
	}
	for _, tc := range tests {
		r := get(tc.id)
		o, p := r.Occurred, r.Place
		got := []string{o.Date + " " + o.Precision + " " + o.TZ, formatCoord(*p.Lat) + " " + formatCoord(*p.Lon) + " " + formatCoord(*p.RadiusKm),
			strings.Join(r.Domains, ","), strings.Join(r.Targets, ","), strings.Join(r.Perpetrators, ";"),
			r.EventType + "/" + r.SubEventType + "/" + r.Country, r.Description}
		want := []string{tc.occurred, tc.place, tc.domains, tc.targets, tc.perpetrators, tc.kind, tc.description}
		if strings.Join(got, "|") != strings.Join(want, "|") || r.NotHostile != tc.notHostile || r.Source != (truce.ReportSource{Kind: "dataset", Name: "ACLED"}) {
			t.Errorf("%s:\n got %q %v\nwant %q %v", tc.id, got, r.NotHostile, want, tc.notHostile)
		}
	}
}

// An ACLED file that is UTF-8 but for one byte: the row holding it is
// rejected, naming its column; the rest import.
func TestACLEDInvalidByte(t *testing.T) {
	text := strings.Replace(acledSample, "near Pokrovsk.", "near Pokrovsk – \xff.", 1)
	text = strings.Replace(text, "Shots fired at a bus.", "Shots fired at a bus – two wounded.", 1)
	path := filepath.Join(t.TempDir(), "acled.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var errs bytes.Buffer
	sum, err := Run(t.Context(), newMemSink(), Options{Errors: &errs}, path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(errs.String(), path+":2: notes: invalid UTF-8 byte 0xFF (the rest of the file is UTF-8)\n") || sum.Imported != 4 || sum.Rejected != 3 {
		t.Errorf("%+v\n%s", sum, errs.String())
	}
}
