package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// places.csv.gz holds real places and days to resample: every 3rd event of
// the UCDP GED Ukraine extract (CC BY 4.0, UCDP: Sundberg & Melander 2013,
// Davies et al.) and every 20th NASA FIRMS VIIRS detection over Ukraine in
// 2023 (NASA open data), as latitude,longitude,date. TestPlacesUpToDate
// rebuilds it from ../shared/data (go test -run PlacesUpToDate -update).
//
//go:embed benchdata/places.csv.gz
var placesGz []byte

// place is one real (lat, lon, date) sample.
type place struct {
	lat, lon string
	day      time.Time
}

func loadPlaces() ([]place, error) {
	zr, err := gzip.NewReader(bytes.NewReader(placesGz))
	if err != nil {
		return nil, err
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		return nil, err
	}
	ps := make([]place, 0, len(recs))
	for _, r := range recs[1:] {
		d, err := time.Parse(time.DateOnly, r[2])
		if err != nil {
			return nil, err
		}
		ps = append(ps, place{r[0], r[1], d})
	}
	return ps, nil
}

// acledHeader is the column list of an ACLED export.
var acledHeader = []string{"event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
	"sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
	"civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
	"longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp"}

// acledKind is one kind of event the generator writes, with its share.
type acledKind struct {
	weight                            int
	disorder, eventType, subEventType string
	actor1, actor2                    string
	notes                             []string
}

const (
	russia     = "Military Forces of Russia (2000-)"
	ukraine    = "Military Forces of Ukraine (2019-)"
	civilians  = "Civilians (Ukraine)"
	protesters = "Protesters (Ukraine)"
)

// acledKinds are written in roughly the shares of ACLED's Ukraine data.
// The notes are made up here in ACLED's style (ACLED's terms do not allow
// its rows to be copied), with the keywords the contract's rules read.
var acledKinds = []acledKind{
	{40, "Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack", russia, ukraine, []string{
		"On %s, Russian forces shelled positions near %s with artillery and MLRS. Casualties unknown.",
		"On %s, Russian forces fired a ballistic missile at %s; a power substation was hit and electricity was cut.",
		"On %s, Russian forces struck %s with mortar and tank fire.",
	}},
	{20, "Political violence", "Explosions/Remote violence", "Air/drone strike", russia, "", []string{
		"On %s, Russian forces launched Shahed drones at %s; an energy facility caught fire.",
		"On %s, Russian aircraft dropped a guided bomb (KAB) on %s.",
	}},
	{5, "Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack", ukraine, russia, []string{
		"On %s, Ukrainian forces attacked a Russian naval boat with a sea drone off %s.",
	}},
	{15, "Political violence", "Battles", "Armed clash", russia, ukraine, []string{
		"On %s, Russian and Ukrainian forces clashed near %s. Casualties unknown.",
	}},
	{6, "Political violence", "Violence against civilians", "Attack", russia, civilians, []string{
		"On %s, Russian forces fired on a civilian car near %s, injuring 2 civilians.",
	}},
	{8, "Demonstrations", "Protests", "Peaceful protest", protesters, "", []string{
		"On %s, about 50 people gathered in %s to demand the return of prisoners of war.",
	}},
	{4, "Strategic developments", "Strategic developments", "Disrupted weapons use", ukraine, "", []string{
		"On %s, Ukrainian air defence shot down 12 drones over %s.",
	}},
	{2, "Demonstrations", "Riots", "Mob violence", "Rioters (Ukraine)", "", []string{
		"On %s, a crowd attacked a recruitment officer in %s.",
	}},
}

// GenerateACLED writes n rows of an ACLED-format CSV (with header) whose
// coordinates and dates are resampled from real UCDP and FIRMS records
// over Ukraine (an embedded extract), and whose event types, actors and
// notes follow ACLED's Ukraine data in style and proportion. The same seed
// gives the same file. It is the input of the import benchmarks.
func GenerateACLED(w io.Writer, n int, seed uint64) error {
	places, err := loadPlaces()
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0x7275636565)) // "truce"
	total := 0
	for _, k := range acledKinds {
		total += k.weight
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(acledHeader); err != nil {
		return err
	}
	row := make([]string, len(acledHeader))
	for i := range n {
		p := places[rng.IntN(len(places))]
		day := places[rng.IntN(len(places))].day // dates resampled apart from places
		pick := rng.IntN(total)
		var k acledKind
		for _, k = range acledKinds {
			if pick < k.weight {
				break
			}
			pick -= k.weight
		}
		prec := 1
		switch r := rng.IntN(100); {
		case r >= 97:
			prec = 3
		case r >= 88:
			prec = 2
		}
		geo := 1 + rng.IntN(100)/70 // mostly 1, some 2
		where := "the settlement at " + p.lat + ", " + p.lon
		civ := ""
		if k.eventType == "Violence against civilians" {
			civ = "Civilian targeting"
		}
		row[0] = "UKR" + strconv.Itoa(100000+i)
		row[1] = day.Format(time.DateOnly)
		row[2] = strconv.Itoa(day.Year())
		row[3] = strconv.Itoa(prec)
		row[4], row[5], row[6] = k.disorder, k.eventType, k.subEventType
		row[7], row[8], row[9] = k.actor1, "", "8"
		row[10], row[11], row[12] = k.actor2, "", ""
		row[13] = ""
		row[14] = civ
		row[15], row[16], row[17] = "804", "Europe", "Ukraine"
		row[18], row[19], row[20], row[21] = "", "", "", ""
		row[22], row[23] = p.lat, p.lon
		row[24] = strconv.Itoa(geo)
		row[25], row[26] = "Ukrinform; Ministry of Defence of Ukraine", "National"
		row[27] = fmt.Sprintf(k.notes[rng.IntN(len(k.notes))], day.Format("2 January 2006"), where)
		row[28] = strconv.Itoa(rng.IntN(4))
		row[29] = ""
		row[30] = strconv.FormatInt(day.Unix()+86400*7, 10)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
