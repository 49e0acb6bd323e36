package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestTally(t *testing.T) {
	in := `event_id,agreement_id,verdict,party,reason
1,a,uncertain,,"place: x, y"
1,b,violation,RU,time
2,a,violation,RU,"multi
line"
5,a,uncertain,,z
`
	var out bytes.Buffer
	if err := run([]string{"-events", "6", "-sub", "2", "-agreements", "a,b,c"}, strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	// 6 events × 3 agreements; ids 1 and 2 are the sample.
	want := `scope,agreement,test,value,n
all,a,verdict,uncertain,2
all,a,verdict,violation,1
all,a,verdict,outside,3
all,b,verdict,violation,1
all,b,verdict,outside,5
all,c,verdict,outside,6
sub,a,verdict,uncertain,1
sub,a,verdict,violation,1
sub,b,verdict,violation,1
sub,b,verdict,outside,1
sub,c,verdict,outside,2
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestTallyRejects(t *testing.T) {
	for name, in := range map[string]string{
		"bad header":        "id,agreement,verdict,party,reason\n",
		"unknown agreement": "event_id,agreement_id,verdict,party,reason\n1,zz,uncertain,,r\n",
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run([]string{"-events", "1", "-agreements", "a"}, strings.NewReader(in), &out); err == nil {
				t.Errorf("no error; output %q", out.String())
			}
		})
	}
}
