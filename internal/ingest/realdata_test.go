package ingest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// realFiles are the real data files with the counts each import must give.
// The counts were derived outside Go, with Python's csv module (UTF-8, or
// cp1252 for the messy file):
//
//   - rows: len(list(csv.reader(f))) - 1, matching the data README;
//   - FIRMS VIIRS: distinct (latitude, longitude, acq_date, acq_time,
//     satellite): 42,415, every row; FIRMS trimmed: distinct (float(lat),
//     float(lon), acq_date): 133,979, every row (no duplicate key, not even
//     in (lat, lon) alone);
//   - alerts: distinct (oblast, raion, hromada, level, started_at) 43,031 and
//     (region, started_at) 54,514, every row;
//   - PA-X: Counter(row["Stage"])["Cea"] = 463 of 2,144, the rest skipped;
//   - UCDP messy: 4,930 date values have a second number above 12 (month
//     first) and none a first number above 12; 1,442 rows have a date_start
//     or date_end whose two numbers are both at most 12 and differ.
var realFiles = []struct {
	file, format, encoding            string
	read, imported, rejected, skipped int
	reports, observations, agreements int
	notes                             []string
}{
	{file: "ucdp/ged-ukraine-2014-2022.csv", format: FormatUCDP, encoding: EncodingUTF8, read: 3077, imported: 3077, reports: 3077},
	{file: "ucdp/ged-ukraine-2014-2023-cp1252-messy.csv", format: FormatUCDP, encoding: EncodingCP1252, read: 3883, imported: 3883, reports: 3883,
		notes: []string{"dates read month first (M/D/YYYY), inferred file-wide: 4,930 dates can only be read that way, 0 the other",
			"1,442 rows have a date that alone reads either way: 1,442 settled by the file's order, 0 by the row's other date, 0 stay ambiguous and are rejected"}},
	{file: "firms/viirs-snpp-nrt-ukraine-2023.csv", format: FormatFIRMS, encoding: EncodingUTF8, read: 42415, imported: 42415, observations: 42415},
	{file: "firms/ukraine-2022-trimmed.csv", format: FormatFIRMS, encoding: EncodingUTF8, read: 133979, imported: 133979, observations: 133979,
		notes: []string{"trimmed form: no sensor or time, each detection covers its UTC day"}},
	{file: "alerts/official_data_en_2022-03-15_2024-04-22.csv", format: FormatAlerts, encoding: EncodingUTF8, read: 43031, imported: 43031, observations: 43031,
		notes: []string{"official layout"}},
	{file: "alerts/volunteer_data_en_2022-02-25_2024-10-10.csv", format: FormatAlerts, encoding: EncodingUTF8, read: 54514, imported: 54514, observations: 54514,
		notes: []string{"volunteer layout"}},
	{file: "agreements/pax-v9.csv", format: FormatPAX, encoding: EncodingUTF8, read: 2144, imported: 463, skipped: 1681, agreements: 463,
		notes: []string{"1681 rows are not ceasefires (Stage is not Cea) and were skipped"}},
	{file: "agreements/ukraine-humanitarian-corridors-2022.csv", format: FormatCorridors, encoding: EncodingUTF8, read: 282, imported: 282, agreements: 282},
}

// Every real file imports with the expected counts, detected from its
// header; a second import adds nothing and says why.
func TestRealFiles(t *testing.T) {
	for _, tc := range realFiles {
		t.Run(tc.file, func(t *testing.T) {
			sink := newMemSink()
			var errs bytes.Buffer
			sum, err := Run(t.Context(), sink, Options{Errors: &errs}, sharedData(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if errs.Len() > 0 {
				t.Errorf("errors:\n%s", errs.String())
			}
			f := sum.Files[0]
			if f.Format != tc.format || f.Encoding != tc.encoding || f.Read != tc.read || f.Imported != tc.imported ||
				f.Present != 0 || f.Rejected != tc.rejected || f.Skipped != tc.skipped {
				t.Errorf("got %s %s read %d imported %d present %d rejected %d skipped %d\nwant %s %s read %d imported %d present 0 rejected %d skipped %d",
					f.Format, f.Encoding, f.Read, f.Imported, f.Present, f.Rejected, f.Skipped,
					tc.format, tc.encoding, tc.read, tc.imported, tc.rejected, tc.skipped)
			}
			if len(sink.reports) != tc.reports || len(sink.obs) != tc.observations || len(sink.agreements) != tc.agreements {
				t.Errorf("stored %d reports, %d observations, %d agreements; want %d, %d, %d",
					len(sink.reports), len(sink.obs), len(sink.agreements), tc.reports, tc.observations, tc.agreements)
			}
			if strings.Join(f.Notes, "\n") != strings.Join(tc.notes, "\n") {
				t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(f.Notes, "\n"), strings.Join(tc.notes, "\n"))
			}
			for k, r := range sink.reports {
				if err := r.Validate(); err != nil {
					t.Fatalf("report %v: %v", k, err)
				}
			}

			again, err := Run(t.Context(), sink, Options{}, sharedData(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if again.Imported != 0 || again.Present != tc.imported || again.Read != tc.read {
				t.Errorf("second import: read %d imported %d present %d; want %d, 0, %d", again.Read, again.Imported, again.Present, tc.read, tc.imported)
			}
		})
	}
}

// Spot checks of what single rows become, against the files as read by eye.
func TestRealRows(t *testing.T) {
	sink := newMemSink()
	files := []string{"ucdp/ged-ukraine-2014-2023-cp1252-messy.csv", "firms/viirs-snpp-nrt-ukraine-2023.csv",
		"alerts/official_data_en_2022-03-15_2024-04-22.csv", "alerts/volunteer_data_en_2022-02-25_2024-10-10.csv", "agreements/pax-v9.csv"}
	for _, f := range files {
		if _, err := Run(t.Context(), sink, Options{}, sharedData(t, f)); err != nil {
			t.Fatal(err)
		}
	}
	// Messy line 2: event 147997, date_start "1/22/2014 12:00:00 AM" (month
	// first), where_prec 1 (2 km) in Kyiv.
	r := sink.reports[[2]string{"import:ucdp-ged", "147997"}]
	from, to, err := r.Occurred.Interval()
	if err != nil || from.Format("2006-01-02T15:04Z07:00") != "2014-01-21T22:00Z" || to.Format("2006-01-02T15:04Z07:00") != "2014-01-22T22:00Z" {
		t.Errorf("147997 occurred %v..%v %v", from, to, err)
	}
	if *r.Place.Lat != 50.45 || *r.Place.RadiusKm != 2 || r.Source.Name != "UCDP GED" || r.Country != "Ukraine" ||
		strings.Join(r.Domains, ",") != "land,air" || strings.Join(r.Perpetrators, ";") != "Government of Ukraine;Maidan" {
		t.Errorf("147997: %+v", r)
	}
	if !strings.HasPrefix(r.Description, "Police disperse Kiev protest, activists say one shot dead;") {
		t.Errorf("147997 description %q", r.Description)
	}
	// A Windows-1252 byte 0x92 (right single quote) became U+2019.
	found := false
	for _, r := range sink.reports {
		if strings.Contains(r.Description, "\u2019") {
			found = true
			break
		}
	}
	if !found {
		t.Error("no report has the right single quotation mark of the cp1252 file")
	}

	// VIIRS line 2: 47.62075,35.71787,...,2023-02-24,1106,N,VIIRS,n,2.0NRT; scan 0.52, track 0.5.
	o := sink.obs[[2]string{"FIRMS VIIRS_SNPP_NRT", "47.62075,35.71787,2023-02-24,1106,N"}]
	if o.Kind != truce.ObservationFire || o.From.Format("2006-01-02T15:04Z07:00") != "2023-02-24T11:06Z" || o.Confidence != "n" ||
		o.RadiusKm != 0.361 || !strings.Contains(o.Attributes, `"frp":"7.75"`) {
		t.Errorf("VIIRS row: %+v", o)
	}
	// Official line 2: Vinnytska oblast 2022-03-15 16:10:34 .. 16:50:07.
	o = sink.obs[[2]string{"alerts official", "oblast/Vinnytska oblast//@2022-03-15T16:10:34Z"}]
	if o.Admin1 != "UA-05" || o.To.Format("15:04:05") != "16:50:07" || o.Region != "Vinnytska oblast" {
		t.Errorf("official row: %+v", o)
	}
	// Official line 18 has raion and oblast swapped at the source.
	o = sink.obs[[2]string{"alerts official", "hromada/Lubenskyi raion/Poltavska oblast/Hrebinkivska terytorialna hromada@2022-03-15T16:46:43Z"}]
	if o.Admin1 != "UA-53" || o.Region != "Hrebinkivska terytorialna hromada, Lubenskyi raion, Poltavska oblast" {
		t.Errorf("swapped row: %+v", o)
	}
	// Volunteer line 2: Kyiv City, naive=True.
	o = sink.obs[[2]string{"alerts volunteer", "Kyiv City@2022-02-25T16:36:22Z"}]
	if o.Admin1 != "UA-30" || o.Attributes != `{"naive":"True"}` {
		t.Errorf("volunteer row: %+v", o)
	}
	// PA-X 2440: the 22 July 2020 Donbas ceasefire measures.
	a := sink.agreements["pax-2440"]
	if !a.TermsNeedReview || a.Status != truce.StatusInForce || a.Sources[0].Date != "2020-07-22" || a.Domains != nil || !a.Area.IsEmpty() ||
		!strings.Contains(a.Description, "Parties: Ukrainian Armed Forces, Certain Areas of Donetsk and Luhansk (CALDR)") {
		t.Errorf("pax-2440: %+v", a)
	}
}
