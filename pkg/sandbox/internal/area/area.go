// Package area is what the sandbox hands each service area: its identity
// (region, account), its clock and log, the router it registers its
// operations with and the store it keeps its state in. Areas never see
// the Server; they reach each other only through exported functions.
package area

import (
	"errors"
	"strings"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Host is the sandbox as an area sees it.
type Host struct {
	Region    string
	AccountID string
	Clock     func() time.Time
	Logf      func(format string, args ...any)
	Router    *router.Router
	Store     *store.Store

	sections []*store.Section
	closers  []func() error
}

// Section gives an area its section of the state file (store.Section);
// the host saves it at Close.
func (h *Host) Section(members func() []store.Member) *store.Section {
	sec := h.Store.NewSection(members)
	h.sections = append(h.sections, sec)
	return sec
}

// OnClose runs fn at Close, before the state is saved; closers run in the
// reverse order of their registration, so an area closes before those it
// uses.
func (h *Host) OnClose(fn func() error) { h.closers = append(h.closers, fn) }

// Close runs the closers, then saves every section.
func (h *Host) Close() error {
	var errs []error
	for i := len(h.closers) - 1; i >= 0; i-- {
		errs = append(errs, h.closers[i]())
	}
	errs = append(errs, h.Save())
	return errors.Join(errs...)
}

// Save writes every section to the state file.
func (h *Host) Save() error {
	for _, sec := range h.sections {
		if err := sec.Put(); err != nil {
			return err
		}
	}
	return h.Store.Save()
}

// Log writes one line to the sandbox's log, if it has one.
func (h *Host) Log(format string, args ...any) {
	if h.Logf != nil {
		h.Logf(format, args...)
	}
}

// ARN forms an ARN in the sandbox's partition, region and account;
// region "" leaves the region out (IAM).
func (h *Host) ARN(service, region, resource string) string {
	return "arn:" + Partition(h.Region) + ":" + service + ":" + region + ":" + h.AccountID + ":" + resource
}

// Partition is the AWS partition a region belongs to.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// CallerName is the IAM user the sandbox's credentials stand for.
const CallerName = "sandbox-user"

// CallerARN is the IAM identity the sandbox's credentials stand for: a
// session's Owner and a parameter's LastModifiedUser.
func (h *Host) CallerARN() string { return h.ARN("iam", "", "user/"+CallerName) }
