package output

import (
	"flag"
	"os"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

func TestMain(m *testing.M) {
	flag.Parse()
	// Golden tables assume "…" is one column wide; a CJK locale on the
	// machine running the tests would otherwise make it two.
	twwidth.SetEastAsian(false)
	os.Exit(m.Run())
}
