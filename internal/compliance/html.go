package compliance

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportHTML = template.Must(template.New("report").Parse(reportTemplate))

// HTML returns the report as one self-contained HTML page: styles, map
// and chart inline, no external asset, print styles for PDF.
func (rep *Report) HTML() ([]byte, error) {
	title := rep.Agreement.Title
	if title == "" {
		title = rep.Agreement.ID
	}
	data := struct {
		*Report
		Title  string
		Map    template.HTML
		Chart  template.HTML
		Tables []table
	}{rep, title, template.HTML(rep.mapSVG()), template.HTML(rep.chartSVG()), rep.tables()}
	var b bytes.Buffer
	if err := reportHTML.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("compliance report html: %w", err)
	}
	return b.Bytes(), nil
}
