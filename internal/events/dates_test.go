package events

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestParseACLEDDate(t *testing.T) {
	ok := []struct{ in, want string }{
		{"2025-04-20", "2025-04-20"},
		{"  2025-04-20 ", "2025-04-20"},
		{"20/04/2025", "2025-04-20"},
		{"3/4/2025", "2025-04-03"}, // day first
		{"03/04/2025", "2025-04-03"},
		{"20/04/2025 00:00", "2025-04-20"},
		{"20/04/2025 14:35:10", "2025-04-20"},
		{"20/4/2025 12:00:00 AM", "2025-04-20"},
		{"20 April 2025", "2025-04-20"},
		{"20 april 2025", "2025-04-20"},
		{"20 APR 2025", "2025-04-20"},
		{"5 Sep 2025", "2025-09-05"},
		{"05 September 2025", "2025-09-05"},
		{"29/02/2024", "2024-02-29"},
		{"29 February 2024", "2024-02-29"},
	}
	for _, tt := range ok {
		got, err := ParseACLEDDate(tt.in)
		if err != nil || got.Format("2006-01-02") != tt.want || got.Location() != time.UTC {
			t.Errorf("ParseACLEDDate(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	bad := []struct {
		in   string
		want error
	}{
		{"", errNotDate},
		{"2025-04-20 00:00", errNotDate}, // the ISO form takes no time part
		{"2025/04/20", errNotDate},
		{"20-04-2025", errNotDate},
		{"20/04/25", errNotDate},
		{"20/04/2025 noon", errNotDate},
		{"20 Sept 2025", errNotDate},
		{"20 Apri 2025", errNotDate},
		{"April 20 2025", errNotDate},
		{"20 April 2025 10:00", errNotDate},
		{"2025-4-20", errNotDate},
		{"31/02/2025", errNoDay},
		{"29/02/2025", errNoDay},
		{"2025-02-29", errNoDay},
		{"2025-13-01", errNoDay},
		{"2025-00-10", errNoDay},
		{"00/01/2025", errNoDay},
		{"1/13/2025", errNoDay}, // month first is not day first
		{"31 June 2025", errNoDay},
		{"01/01/0000", errNoDay},
	}
	for _, tt := range bad {
		if _, err := ParseACLEDDate(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("ParseACLEDDate(%q) error = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestParseUCDPDate(t *testing.T) {
	ok := []struct{ in, want string }{
		{"2020-07-27", "2020-07-27"},
		{"2020-07-27 00:00:00", "2020-07-27"},
		{"2020-07-27 00:00:00.000", "2020-07-27"},
		{"2020-07-27T00:00:00Z", "2020-07-27"},
		{" 2020-07-27 ", "2020-07-27"},
	}
	for _, tt := range ok {
		got, err := ParseUCDPDate(tt.in)
		if err != nil || got.Format("2006-01-02") != tt.want {
			t.Errorf("ParseUCDPDate(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	bad := []struct {
		in   string
		want error
	}{
		{"27/07/2020", errNotDate},
		{"1/22/2014 12:00:00 AM", errNotDate}, // the spreadsheet-mangled form
		{"2020-07-27 junk", errNotDate},
		{"", errNotDate},
		{"2020-06-31", errNoDay},
	}
	for _, tt := range bad {
		if _, err := ParseUCDPDate(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("ParseUCDPDate(%q) error = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestLocalDays(t *testing.T) {
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	moscow, _ := time.LoadLocation("Europe/Moscow")
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	u := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	tests := []struct {
		name        string
		first, last string
		loc         *time.Location
		from, to    string
	}{
		// Kyiv is UTC+2 in winter, UTC+3 from 03:00 on 30 March 2025:
		// that day has 23 hours.
		{"kyiv winter day", "2025-03-29", "2025-03-29", kyiv, "2025-03-28T22:00:00Z", "2025-03-29T22:00:00Z"},
		{"kyiv DST day", "2025-03-30", "2025-03-30", kyiv, "2025-03-29T22:00:00Z", "2025-03-30T21:00:00Z"},
		{"kyiv summer day", "2025-03-31", "2025-03-31", kyiv, "2025-03-30T21:00:00Z", "2025-03-31T21:00:00Z"},
		{"kyiv autumn change", "2025-10-26", "2025-10-26", kyiv, "2025-10-25T21:00:00Z", "2025-10-26T22:00:00Z"},
		// Moscow has had no DST since 2011: UTC+3 all year.
		{"moscow DST day", "2025-03-30", "2025-03-30", moscow, "2025-03-29T21:00:00Z", "2025-03-30T21:00:00Z"},
		{"utc week", "2025-04-17", "2025-04-23", time.UTC, "2025-04-17T00:00:00Z", "2025-04-24T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := localDays(d(tt.first), d(tt.last), tt.loc)
			if !from.Equal(u(tt.from)) || !to.Equal(u(tt.to)) {
				t.Errorf("localDays = [%v, %v), want [%s, %s)", from, to, tt.from, tt.to)
			}
		})
	}
}

// Zones whose clocks jump at midnight start such a day when the clocks
// resume; America/Santiago moved from 24:00 to 01:00 on 2022-09-11.
func TestDayStartSkippedMidnight(t *testing.T) {
	loc, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	got := dayStart(time.Date(2022, 9, 11, 0, 0, 0, 0, time.UTC), loc)
	// 2022-09-10 24:00 at UTC-4 is 04:00Z; the clocks then read 01:00 (UTC-3).
	if want := time.Date(2022, 9, 11, 4, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("dayStart = %v, want %v", got, want)
	}
	if l := got.In(loc); l.Day() != 11 || l.Hour() != 1 {
		t.Errorf("local start %v, want 01:00 on the 11th", l)
	}
}

// TestZoneDayStartCache: the cached day starts are dayStart's, on a miss
// and on a hit, for every day of 1990-2030 in each zone (clock changes at
// midnight included: Kyiv and Moscow moved theirs in those years), days
// that share a cache entry read one after the other, and concurrently.
func TestZoneDayStartCache(t *testing.T) {
	for _, name := range []string{"Europe/Kyiv", "Europe/Moscow", "Europe/Minsk", "UTC", "America/Havana", "America/Santiago"} {
		z := &zone{loc: loadZone(name)}
		var days []time.Time
		for d := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2031; d = d.AddDate(0, 0, 1) {
			days = append(days, d)
		}
		var wg sync.WaitGroup
		for w := range 3 {
			wg.Go(func() {
				for pass := range 2 { // misses, then hits (or entries another day took)
					for i := w; i < len(days); i += 3 {
						d := days[i]
						if got, want := z.dayStart(d), dayStart(d, z.loc); got != want {
							t.Errorf("%s %s pass %d: %v, want %v", name, d.Format("2006-01-02"), pass, got, want)
						}
					}
				}
			})
		}
		wg.Wait()
		from, to := z.localDays(days[100], days[102])
		if wf, wt := localDays(days[100], days[102], z.loc); from != wf || to != wt {
			t.Errorf("%s localDays: [%v, %v), want [%v, %v)", name, from, to, wf, wt)
		}
	}
}
