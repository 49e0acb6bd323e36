package adjudicate

import (
	"math"
	"strings"
	"testing"

	"github.com/truce-monitor/truce"
)

// kyivBox is a drawn area around Kyiv: lon 30..31, lat 50..51.
const kyivBox = `{"type": "Polygon", "coordinates": [[[30,50],[31,50],[31,51],[30,51],[30,50]]]}`

func placeEngine(t testing.TB) *Engine {
	return newEngine(t,
		agreementJSON("donetsk", `"area": {"admin1": ["UA-14"]}`),
		agreementJSON("ua", `"area": {"countries": ["UA"]}`),
		agreementJSON("ru", `"area": {"countries": ["RU"]}`),
		agreementJSON("everywhere", ""),
		agreementJSON("kyiv-box", `"area": {"geojson": `+kyivBox+`}`),
		agreementJSON("crimea", `"area": {"admin1": ["UA-43"]}`),
	)
}

func placeOutcomes(e *Engine, ev Event) string {
	var s []string
	for _, v := range judgeAll(e, ev) {
		s = append(s, v.AgreementID+"="+v.Tests.Place.String())
	}
	return strings.Join(s, " ")
}

func TestPlace(t *testing.T) {
	e := placeEngine(t)
	tests := []struct {
		name string
		ev   Event
		want string
	}{
		// Donetsk city, ±2 km: tens of km from any oblast boundary.
		{"donetsk city", acled(t, "latitude=48.0", "longitude=37.8"),
			"donetsk=inside ua=inside ru=outside everywhere=inside kyiv-box=outside crimea=outside"},
		// Kyiv, ±2 km: 34 km and more from the box's edges.
		{"kyiv", acled(t, "latitude=50.45", "longitude=30.52"),
			"donetsk=outside ua=inside ru=outside everywhere=inside kyiv-box=inside crimea=outside"},
		// Kyiv, ±50 km: the disk reaches lon 29.8, west of the box.
		{"kyiv 50 km", acled(t, "latitude=50.45", "longitude=30.52", "geo_precision=3"),
			"donetsk=outside ua=inside ru=outside everywhere=inside kyiv-box=uncertain crimea=outside"},
		// Simferopol, Crimea, with the country field Ukraine: in UA and
		// UA-43, not in RU (Natural Earth's Russia minus UA).
		{"crimea as ukraine", acled(t, "latitude=44.95", "longitude=34.10", "country=Ukraine"),
			"donetsk=outside ua=inside ru=outside everywhere=inside kyiv-box=outside crimea=inside"},
		// The same place in a UCDP row that says Russia: geography does not
		// read the country field.
		{"crimea as russia", ucdp(t, "latitude=44.95", "longitude=34.10", "country=Russia (Soviet Union)"),
			"donetsk=outside ua=inside ru=outside everywhere=inside kyiv-box=outside crimea=inside"},
		// Voronezh, Russia.
		{"voronezh", acled(t, "latitude=51.67", "longitude=39.18", "country=Russia"),
			"donetsk=outside ua=outside ru=inside everywhere=inside kyiv-box=outside crimea=outside"},
		// where_prec 7: no usable place, uncertain wherever there is an area.
		{"unknown place", ucdp(t, "where_prec=7", "latitude=", "longitude="),
			"donetsk=uncertain ua=uncertain ru=uncertain everywhere=inside kyiv-box=uncertain crimea=uncertain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := placeOutcomes(e, tt.ev); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// A disk near the western boundary of Donetsk oblast: the boundary is
// found with the gazetteer's point lookup, independently of the disk test.
func TestPlaceNearAdmin1Boundary(t *testing.T) {
	g := gz(t)
	const lat = 47.9
	var b float64 // the first longitude west of Donetsk city that is not in UA-14
	for lon := 37.8; ; lon -= 0.005 {
		if c, _ := g.Admin1At(lat, lon); c != "UA-14" {
			b = lon
			break
		}
		if lon < 35 {
			t.Fatal("no boundary found")
		}
	}
	outsidePt := b     // a point of another unit
	centre := b + 0.25 // 0.25° of longitude at 47.9° N is about 18.6 km
	d := kmBetween(lat, centre, lat, outsidePt)
	if d < 18 || d > 20 {
		t.Fatalf("distance to the outside point %.2f km", d)
	}
	// Every point 3 km around the centre is in UA-14, so a 2 km disk is
	// inside the oblast (sampled every 5°).
	for brg := 0.0; brg < 360; brg += 5 {
		la, lo := destination(lat, centre, brg, 3)
		if c, _ := g.Admin1At(la, lo); c != "UA-14" {
			t.Fatalf("point at 3 km, bearing %v, is in %q", brg, c)
		}
	}
	e := newEngine(t, agreementJSON("donetsk", `"area": {"admin1": ["UA-14"]}`))
	place := func(r float64) Outcome {
		ev := Event{ID: "x", Hostile: true, Domains: []string{"land"}, Perpetrators: []string{"RU"},
			Place: Place{Kind: PlacePoint, Lat: lat, Lon: centre, RadiusKm: r}}
		return judgeOne(t, e, ev).Tests.Place
	}
	if got := place(2); got != TestInside {
		t.Errorf("2 km disk: %v, want inside", got)
	}
	// A 25 km disk holds both the centre (UA-14) and the outside point
	// (d ≈ 18.6 km < 25 km): it crosses the boundary.
	if got := place(25); got != TestUncertain {
		t.Errorf("25 km disk: %v, want uncertain", got)
	}
	// A disk centred on the outside side, 1 km beyond the crossing, with
	// r = 2 km reaches back into UA-14: uncertain as well.
	ev := Event{ID: "y", Hostile: true, Domains: []string{"land"}, Perpetrators: []string{"RU"},
		Place: Place{Kind: PlacePoint, Lat: lat, Lon: b - 0.01, RadiusKm: 2}}
	if c, _ := g.Admin1At(lat, b-0.01); c == "UA-14" {
		t.Fatalf("%v is in UA-14", b-0.01)
	}
	if got := judgeOne(t, e, ev).Tests.Place; got != TestUncertain {
		t.Errorf("disk across the line from outside: %v, want uncertain", got)
	}
}

// Stored reports placed by admin-1 unit: inside when the area lists the
// unit or its country, outside against other units and countries, and by
// a covering disk against a drawn area.
func TestPlaceAdmin1Report(t *testing.T) {
	e := newEngine(t,
		agreementJSON("ua", `"area": {"countries": ["UA"]}`),
		agreementJSON("ru", `"area": {"countries": ["RU"]}`),
		agreementJSON("crimea", `"area": {"admin1": ["UA-43"]}`),
		agreementJSON("donetsk", `"area": {"admin1": ["UA-14"]}`),
		agreementJSON("kyiv-box", `"area": {"geojson": `+kyivBox+`}`),
		agreementJSON("black-sea-box", `"area": {"geojson": {"type": "Polygon", "coordinates": [[[30,43],[39,43],[39,47.5],[30,47.5],[30,43]]]}}`),
		agreementJSON("part-of-crimea", `"area": {"geojson": {"type": "Polygon", "coordinates": [[[33.5,44.5],[34.5,44.5],[34.5,45.5],[33.5,45.5],[33.5,44.5]]]}}`),
		agreementJSON("ua-lower-case", `"area": {"countries": ["ua"]}`),
		agreementJSON("everywhere", ""),
	)
	r := report()
	r.Place = truce.Place{Admin1: "UA-43"}
	ev, err := EventFromReport(r, gz(t))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Place.Kind != PlaceAdmin1 || ev.Place.Admin1 != "UA-43" || ev.Place.RadiusKm < 100 || ev.Place.RadiusKm > 400 {
		t.Errorf("place %+v", ev.Place)
	}
	want := "ua=inside ru=outside crimea=inside donetsk=outside kyiv-box=outside black-sea-box=inside part-of-crimea=uncertain ua-lower-case=inside everywhere=inside"
	if got := placeOutcomes(e, ev); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	v := judgeAll(e, ev)[1]
	if v.Reason != "place: UA-43 outside the area (RU)" {
		t.Errorf("reason %q", v.Reason)
	}
}

func kmBetween(lat1, lon1, lat2, lon2 float64) float64 {
	const R = 6371.0088
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * R * math.Asin(math.Sqrt(h))
}

// destination is the point km away from lat, lon on a bearing in degrees.
func destination(lat, lon, bearing, km float64) (float64, float64) {
	const R = 6371.0088
	d, br := km/R, bearing*math.Pi/180
	p1, l1 := lat*math.Pi/180, lon*math.Pi/180
	p2 := math.Asin(math.Sin(p1)*math.Cos(d) + math.Cos(p1)*math.Sin(d)*math.Cos(br))
	l2 := l1 + math.Atan2(math.Sin(br)*math.Sin(d)*math.Cos(p1), math.Cos(d)-math.Sin(p1)*math.Sin(p2))
	return p2 * 180 / math.Pi, l2 * 180 / math.Pi
}

// TestPlaceSharedArea: agreements written with the same area share one
// place test per event (terms.ValidateAreas gives them one *geo.Area). The
// outcomes, and the rows RowWriter writes, are those of each agreement
// judged alone in an engine of its own, whatever the agreements' order and
// the other tests (windows, domains) that set their verdicts apart.
func TestPlaceSharedArea(t *testing.T) {
	box := `"area": {"admin1": ["UA-14"], "geojson": ` + kyivBox + `}`
	later := `"window": {"start": "2025-05-01T00:00", "tz": "UTC"}`
	ags := []string{
		agreementJSON("uaru-1", `"area": {"countries": ["UA", "RU"]}`),
		agreementJSON("box-1", box),
		agreementJSON("ru", `"area": {"countries": ["RU"]}`),
		agreementJSON("uaru-2", `"area": {"countries": ["UA", "RU"]}, `+later),
		agreementJSON("box-2", box+`, "domains": ["sea"]`),
		agreementJSON("uaru-3", `"area": {"countries": ["UA", "RU"], "admin1": []}`),
	}
	e := newEngine(t, ags...)
	if len(e.areas) != 3 {
		t.Errorf("%d distinct areas, want 3", len(e.areas))
	}
	alone := make([]*Engine, len(ags))
	for i, a := range ags {
		alone[i] = newEngine(t, a)
	}
	r := report()
	r.Place = truce.Place{Admin1: "UA-32"} // Kyiv oblast: partly in the Kyiv box
	inUnit, err := EventFromReport(r, gz(t))
	if err != nil {
		t.Fatal(err)
	}
	evs := []Event{
		acled(t, "latitude=48.0", "longitude=37.8"),                      // Donetsk
		acled(t, "latitude=50.45", "longitude=30.52", "geo_precision=3"), // Kyiv ±50 km
		acled(t, "latitude=51.67", "longitude=39.18", "country=Russia"),  // Voronezh
		acled(t, "latitude=52.1", "longitude=23.7", "geo_precision=3"),   // Brest, Belarus, ±50 km, near UA and PL
		ucdp(t, "where_prec=7", "latitude=", "longitude="),
		inUnit,
	}
	rw, rwAlone := e.RowWriter(), make([]*RowWriter, len(alone))
	for i, a := range alone {
		rwAlone[i] = a.RowWriter()
	}
	for _, ev := range evs {
		got := judgeAll(e, ev)
		var want []byte
		for i, a := range alone {
			w := judgeAll(a, ev)
			if len(w) != 1 || got[i].Tests != w[0].Tests || got[i].Reason != w[0].Reason {
				t.Errorf("event %s place %+v, agreement %s: shared %+v, alone %+v", ev.ID, ev.Place, ags[i][:20], got[i], w)
			}
			want = rwAlone[i].Append(want, &ev, true)
		}
		if rows := rw.Append(nil, &ev, true); string(rows) != string(want) {
			t.Errorf("rows:\n%s\nwant\n%s", rows, want)
		}
	}
}
