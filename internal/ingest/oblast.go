package ingest

import "strings"

// oblastCodes maps the names that alert logs and datasets give Ukraine's
// first-level units (Ukrainian adjectival transliterations such as
// "Vinnytska oblast", English names such as "Vinnytsia Oblast", older
// spellings) to their ISO 3166-2 codes, the codes of the gazetteer. Keys are
// normalised by normOblast.
var oblastCodes = map[string]string{
	"vinnytska": "UA-05", "vinnytsia": "UA-05", "vinnytsya": "UA-05", "vinnitsa": "UA-05",
	"volynska": "UA-07", "volyn": "UA-07",
	"luhanska": "UA-09", "luhansk": "UA-09", "lugansk": "UA-09",
	"dnipropetrovska": "UA-12", "dnipropetrovsk": "UA-12", "dnipro": "UA-12",
	"donetska": "UA-14", "donetsk": "UA-14",
	"zhytomyrska": "UA-18", "zhytomyr": "UA-18",
	"zakarpatska": "UA-21", "zakarpattia": "UA-21", "zakarpattya": "UA-21", "transcarpathia": "UA-21",
	"zaporizka": "UA-23", "zaporizhzhia": "UA-23", "zaporizhia": "UA-23", "zaporizhzhya": "UA-23", "zaporozhye": "UA-23",
	"ivano frankivska": "UA-26", "ivano frankivsk": "UA-26",
	"kyiv city": "UA-30", "m kyiv": "UA-30", "kyiv": "UA-30", "kiev": "UA-30", "kiev city": "UA-30",
	"kyivska": "UA-32", "kyiv oblast": "UA-32", "kiev oblast": "UA-32", "kyiv region": "UA-32", "kievska": "UA-32",
	"kirovohradska": "UA-35", "kirovohrad": "UA-35", "kropyvnytskyi": "UA-35",
	"sevastopol": "UA-40", "m sevastopol": "UA-40", "sevastopol city": "UA-40",
	"krym": "UA-43", "crimea": "UA-43", "avtonomna respublika krym": "UA-43", "autonomous republic of crimea": "UA-43", "ar krym": "UA-43",
	"lvivska": "UA-46", "lviv": "UA-46",
	"mykolaivska": "UA-48", "mykolaiv": "UA-48",
	"odeska": "UA-51", "odesa": "UA-51", "odessa": "UA-51",
	"poltavska": "UA-53", "poltava": "UA-53",
	"rivnenska": "UA-56", "rivne": "UA-56",
	"sumska": "UA-59", "sumy": "UA-59",
	"ternopilska": "UA-61", "ternopil": "UA-61",
	"kharkivska": "UA-63", "kharkiv": "UA-63",
	"khersonska": "UA-65", "kherson": "UA-65",
	"khmelnytska": "UA-68", "khmelnytskyi": "UA-68", "khmelnytskyy": "UA-68",
	"cherkaska": "UA-71", "cherkasy": "UA-71",
	"chernihivska": "UA-74", "chernihiv": "UA-74",
	"chernivetska": "UA-77", "chernivtsi": "UA-77",
}

// oblastCode returns the ISO 3166-2 code of a Ukrainian first-level unit
// named in any of the usual spellings, or false.
func oblastCode(name string) (string, bool) {
	n := normOblast(name)
	if c, ok := oblastCodes[n]; ok {
		return c, true
	}
	for _, suffix := range []string{" oblast", " obl", " region"} {
		if base, ok := strings.CutSuffix(n, suffix); ok {
			c, ok := oblastCodes[base]
			return c, ok
		}
	}
	return "", false
}

// normOblast lower-cases a name, drops apostrophes and full stops and
// turns hyphens and runs of spaces into single spaces.
func normOblast(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case '\'', '’', 'ʼ', '`', '.':
			continue
		case '-', ' ', '\t':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
