package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
)

// chartUnquote is the official NATS chart's rule for config.merge: a string
// "<< x >>" is written unquoted, as x (a variable such as $TOKEN, or a size
// such as 1GB).
var chartUnquote = regexp.MustCompile(`"<<\s+(.*?)\s+>>"`)

// RenderChartConfig writes merge, the config.merge of the NATS chart's
// values, as the chart writes it into nats.conf: JSON (which nats-server's
// configuration format includes), keys sorted, with "<< x >>" strings
// unquoted. The result can be read with server.ProcessConfigFile.
func RenderChartConfig(merge map[string]any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Helm's toRawJson does not escape <, > and &.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(merge); err != nil {
		return nil, fmt.Errorf("nats chart config: %w", err)
	}
	return chartUnquote.ReplaceAll(b.Bytes(), []byte("$1")), nil
}
