package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
	"github.com/ssmctl/ssmctl/pkg/runcmd"
	"github.com/ssmctl/ssmctl/pkg/target"
)

// Document is the Command document Patch Manager runs on nodes.
const Document = "AWS-RunPatchBaseline"

// RebootOptions are AWS-RunPatchBaseline's RebootOption values.
var RebootOptions = []string{"RebootIfNeeded", "NoReboot"}

// RunRequest is a scan or an install.
type RunRequest struct {
	Specs          []target.Spec
	Operation      string // Scan or Install
	RebootOption   string // Install only; "" is the document's default (RebootIfNeeded)
	Override       string // BaselineOverride: an s3:// or https:// URL, or a local file's path
	MaxConcurrency string
	MaxErrors      string
	// Ping keeps the nodes with these ping statuses (AWS's spelling), as
	// run's --ping.
	Ping []string
	// DeliveryTimeout is SendCommand's TimeoutSeconds, as run's
	// --delivery-timeout; zero is AWS's default (1 h). The execution
	// timeout is the document's own: AWS-RunPatchBaseline has no
	// executionTimeout parameter.
	DeliveryTimeout time.Duration
}

// Request is the Run Command request that runs AWS-RunPatchBaseline.
func (r RunRequest) Request() (runcmd.Request, error) {
	params := map[string][]string{"Operation": {r.Operation}}
	if r.RebootOption != "" {
		params["RebootOption"] = []string{r.RebootOption}
	}
	if r.Override != "" {
		u, err := OverrideURL(r.Override)
		if err != nil {
			return runcmd.Request{}, err
		}
		params["BaselineOverride"] = []string{u}
	}
	req := runcmd.Request{Specs: r.Specs, Ping: r.Ping, Document: Document, Parameters: params, MaxConcurrency: r.MaxConcurrency, MaxErrors: r.MaxErrors, DeliveryTimeout: r.DeliveryTimeout}
	return req, req.Validate()
}

// OverrideURL is BaselineOverride's value for --baseline-override: a URL
// as is, a local file as a file:/// URL (which the sandbox's agent reads;
// AWS's takes s3:// and https:// only: docs/patch.md).
func OverrideURL(s string) (string, error) {
	if strings.HasPrefix(s, "s3://") || strings.HasPrefix(s, "https://") {
		return s, nil
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return "", err
	}
	return "file://" + abs, nil
}

// overrideBaseline is one baseline of a BaselineOverride file: the
// members AWS's BaselineOverride takes.
type overrideBaseline struct {
	OperatingSystem string          `json:"OperatingSystem"`
	GlobalFilters   json.RawMessage `json:"GlobalFilters"`
	ApprovalRules   *struct {
		PatchRules []json.RawMessage `json:"PatchRules"`
	} `json:"ApprovalRules"`
	ApprovedPatches                          []string        `json:"ApprovedPatches"`
	ApprovedPatchesComplianceLevel           string          `json:"ApprovedPatchesComplianceLevel"`
	ApprovedPatchesEnableNonSecurity         *bool           `json:"ApprovedPatchesEnableNonSecurity"`
	RejectedPatches                          []string        `json:"RejectedPatches"`
	RejectedPatchesAction                    string          `json:"RejectedPatchesAction"`
	Sources                                  json.RawMessage `json:"Sources"`
	AvailableSecurityUpdatesComplianceStatus string          `json:"AvailableSecurityUpdatesComplianceStatus"`
	// Members of GetPatchBaseline's answer, accepted so its output can be
	// used as is.
	BaselineId   string          `json:"BaselineId"`
	Name         string          `json:"Name"`
	Description  string          `json:"Description"`
	PatchGroups  []string        `json:"PatchGroups"`
	CreatedDate  json.RawMessage `json:"CreatedDate"`
	ModifiedDate json.RawMessage `json:"ModifiedDate"`
}

// CheckOverride checks a baseline override file: a JSON list of
// baselines (or one baseline), each with a known OperatingSystem, no
// member AWS's baseline does not have, and approval rules or approved
// patches. What is wrong is a usage error (252) naming the file.
func CheckOverride(name string, b []byte) error {
	bad := func(format string, args ...any) error {
		return exitcode.New(exitcode.Usage, "--baseline-override %s: %s", name, fmt.Sprintf(format, args...))
	}
	var list []overrideBaseline
	if err := decodeStrict(b, &list); err != nil {
		var one overrideBaseline
		if err1 := decodeStrict(b, &one); err1 != nil {
			return bad("not a patch baseline: %v", err1)
		}
		list = []overrideBaseline{one}
	}
	if len(list) == 0 {
		return bad("no baseline in the list")
	}
	seen := map[string]bool{}
	for i, o := range list {
		switch {
		case o.OperatingSystem == "":
			return bad("baseline %d has no OperatingSystem", i+1)
		case !slices.Contains(OperatingSystems, o.OperatingSystem):
			return bad("baseline %d: OperatingSystem %q is not one of %s", i+1, o.OperatingSystem, strings.Join(OperatingSystems, ", "))
		case seen[o.OperatingSystem]:
			return bad("two baselines for %s", o.OperatingSystem)
		case o.ApprovalRules == nil && len(o.ApprovedPatches) == 0:
			return bad("baseline %d (%s) has neither ApprovalRules nor ApprovedPatches", i+1, o.OperatingSystem)
		case o.RejectedPatchesAction != "" && o.RejectedPatchesAction != "ALLOW_AS_DEPENDENCY" && o.RejectedPatchesAction != "BLOCK":
			return bad("baseline %d: RejectedPatchesAction %q is not ALLOW_AS_DEPENDENCY or BLOCK", i+1, o.RejectedPatchesAction)
		}
		seen[o.OperatingSystem] = true
	}
	return nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("invalid JSON at offset %d: %v", se.Offset, err)
		}
		return err
	}
	return nil
}
