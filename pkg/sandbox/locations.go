package sandbox

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/automation"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/instanceconnect"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/sessions"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/store"
)

// Several accounts and Regions behind one listener. Each location
// (account × Region) has a host, a router and areas of its own, as if it
// were a sandbox of its own; they share the listener, the state file (the
// main location's members at its top level, the others' under
// "locations"), the statistics and the faults. A request goes to the
// location of its credentials' account and its credential scope's Region.

// location is one account and Region the sandbox serves.
type location struct {
	account, region string
	host            *area.Host
	router          *router.Router
	nodes           *nodes.Area
	documents       *documents.Area
	sessions        *sessions.Area
	automation      *automation.Area
	instanceConnect *instanceconnect.Area
}

// name is "ACCOUNT/REGION".
func (l *location) name() string { return l.account + "/" + l.region }

// declaredLocations are the locations besides the main one: the options',
// then the fleet's (a fleet file's `locations:`), then those only a
// loaded state file still has. Their fleets are resolved here.
func (s *Server) declaredLocations(opts Options, fleet *Fleet, sf *store.Store) ([]Location, error) {
	locs := append([]Location(nil), opts.Locations...)
	var fl *Fleet
	switch {
	case fleet != nil:
		fl = fleet
	case opts.Fleet != nil:
		fl = opts.Fleet
	}
	if fl != nil {
		for _, l := range fl.Locations {
			locs = append(locs, Location{AccountID: l.Account, Region: l.Region, Fleet: &Fleet{Nodes: l.Nodes}})
		}
		if fleet != nil {
			fleet.Locations = nil
		}
	}
	seen := map[string]bool{opts.AccountID + "/" + opts.Region: true}
	for i := range locs {
		l := &locs[i]
		l.AccountID = cmp.Or(l.AccountID, opts.AccountID)
		if !regionPattern.MatchString(l.Region) {
			return nil, fmt.Errorf("sandbox: location %s/%s: region %q is not a region name such as us-east-1", l.AccountID, l.Region, l.Region)
		}
		if !accountIDPattern.MatchString(l.AccountID) {
			return nil, fmt.Errorf("sandbox: location %s/%s: account ID %q is not 12 digits", l.AccountID, l.Region, l.AccountID)
		}
		name := l.AccountID + "/" + l.Region
		if seen[name] {
			return nil, fmt.Errorf("sandbox: location %s is declared twice", name)
		}
		seen[name] = true
		if l.Fleet != nil {
			f := l.Fleet.Clone()
			if err := f.Validate(); err != nil {
				return nil, fmt.Errorf("sandbox: location %s: fleet: %w", name, err)
			}
			l.Fleet = f
		}
	}
	for _, name := range sf.Locations() {
		if !seen[name] {
			acct, region, _ := strings.Cut(name, "/")
			locs = append(locs, Location{AccountID: acct, Region: region})
			seen[name] = true
		}
	}
	return locs, nil
}

// openLocations opens the main location and the others, each with its
// areas, and the accounts' credentials.
func (s *Server) openLocations(opts Options, sf *store.Store, fleet *Fleet, extra []Location) error {
	s.keys = map[string]string{opts.AccessKeyID: opts.AccountID}
	s.creds = map[string]Credentials{opts.AccountID: {opts.AccessKeyID, opts.SecretAccessKey}}
	for _, l := range extra {
		if _, ok := s.creds[l.AccountID]; ok {
			continue
		}
		c, given := opts.AccountCredentials[l.AccountID]
		switch {
		case !given || c.AccessKeyID == "" && c.SecretAccessKey == "":
			c.AccessKeyID, c.SecretAccessKey = randomCredentials()
		case c.AccessKeyID == "" || c.SecretAccessKey == "":
			return fmt.Errorf("sandbox: account %s: give both the access key ID and the secret access key, or neither", l.AccountID)
		case !accessKeyPattern.MatchString(c.AccessKeyID):
			return fmt.Errorf("sandbox: account %s: the access key ID must be 16 to 128 letters, digits or underscores", l.AccountID)
		}
		if _, dup := s.keys[c.AccessKeyID]; dup {
			return fmt.Errorf("sandbox: account %s: its access key ID is another account's", l.AccountID)
		}
		s.keys[c.AccessKeyID] = l.AccountID
		s.creds[l.AccountID] = c
	}

	open := func(acct, region string, st *store.Store, fleet *Fleet) (*location, error) {
		c := s.creds[acct]
		v := &protocol.Verifier{Region: region, AccessKeyID: c.AccessKeyID, SecretKey: c.SecretAccessKey, Clock: opts.Clock}
		l := &location{account: acct, region: region}
		if s.router == nil {
			l.router = router.New(router.Config{
				Verifier: v, Faults: opts.Faults, Seed: opts.Seed, Latency: opts.Latency, Logf: opts.Logf,
				BodyTimeout: opts.readTimeout,
			})
			s.router = l.router
		} else {
			l.router = s.router.Sibling(v)
		}
		v.Known = l.router.KnownSigningName
		l.host = &area.Host{Region: region, AccountID: acct, Clock: opts.Clock, Logf: opts.Logf, Router: l.router, Store: st}
		s.locs = append(s.locs, l)
		if err := s.openAreas(l, opts, fleet); err != nil {
			if len(s.locs) > 1 {
				return nil, fmt.Errorf("sandbox: location %s: %w", l.name(), err)
			}
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		if err := l.router.SetQuotas(opts.Quotas); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		return l, nil
	}
	main, err := open(opts.AccountID, opts.Region, sf, fleet)
	if err != nil {
		return err
	}
	s.host, s.nodes, s.documents, s.instanceConnect = main.host, main.nodes, main.documents, main.instanceConnect
	if err := s.router.LimitFaults(opts.Faults.Ops); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	for _, x := range extra {
		st := sf.Location(x.AccountID + "/" + x.Region)
		var f *Fleet
		if !st.Loaded() {
			f = cmp.Or(x.Fleet, DefaultFleet())
		}
		if _, err := open(x.AccountID, x.Region, st, f); err != nil {
			return err
		}
	}
	for _, l := range s.locs {
		l.automation.SetPeers(s.automationOf)
		if !l.host.Store.Loaded() {
			if err := l.host.Save(); err != nil {
				return fmt.Errorf("sandbox: %w", err)
			}
		}
	}
	return nil
}

// automationOf is the Automation of a location the sandbox serves, or nil.
func (s *Server) automationOf(account, region string) *automation.Area {
	if l := s.location(account, region); l != nil {
		return l.automation
	}
	return nil
}

func (s *Server) location(account, region string) *location {
	for _, l := range s.locs {
		if l.account == account && l.region == region {
			return l
		}
	}
	return nil
}

// locate is the location a request is for: its access key's account and
// its credential scope's Region. When the sandbox does not serve that
// pair, the request goes where its authentication fails as AWS's would:
// to a location in its Region (the key is not valid there:
// UnrecognizedClientException, as for a Region not enabled for the
// account), else to one of its account (the Region is not served: the
// credential should be scoped to a valid region), else to the main one.
func (s *Server) locate(r *http.Request) *location {
	if len(s.locs) == 1 {
		return s.locs[0]
	}
	key, region := protocol.CredentialScope(r)
	acct, known := s.keys[key]
	var byRegion, byAccount *location
	for _, l := range s.locs {
		if known && l.account == acct && l.region == region {
			return l
		}
		if byRegion == nil && l.region == region {
			byRegion = l
		}
		if byAccount == nil && known && l.account == acct {
			byAccount = l
		}
	}
	return cmp.Or(byRegion, byAccount, s.locs[0])
}

// streamLocation is the location a data channel request is for: the one
// whose Session Manager opened the session (a data channel request may
// be unsigned; its token authorizes it).
func (s *Server) streamLocation(r *http.Request) *location {
	if len(s.locs) > 1 && strings.HasPrefix(r.URL.Path, "/v1/data-channel/") {
		for _, l := range s.locs {
			if l.sessions.Serves(r) {
				return l
			}
		}
	}
	return s.locs[0]
}

// Locations are the accounts and Regions the sandbox serves, as
// "ACCOUNT/REGION", the main one first.
func (s *Server) Locations() []string {
	out := make([]string, len(s.locs))
	for i, l := range s.locs {
		out[i] = l.name()
	}
	return out
}

// Accounts are the accounts the sandbox serves, the main one first.
func (s *Server) Accounts() []string {
	var out []string
	for _, l := range s.locs {
		if !slices.Contains(out, l.account) {
			out = append(out, l.account)
		}
	}
	return out
}

// AccountCredentials are an account's key pair (ok false for an account
// the sandbox does not serve).
func (s *Server) AccountCredentials(account string) (c Credentials, ok bool) {
	c, ok = s.creds[account]
	return c, ok
}

// NodeCountIn is the number of managed nodes of a location (-1 when the
// sandbox does not serve it).
func (s *Server) NodeCountIn(account, region string) int {
	if l := s.location(account, region); l != nil {
		return l.nodes.Count()
	}
	return -1
}

// ProfileName is the AWS CLI profile Profiles gives an account.
func ProfileName(account string) string { return "sandbox-" + account }

// Profiles is an AWS config file (~/.aws/config format) with one profile
// per account the sandbox serves, named by ProfileName: its credentials,
// the endpoint and the first Region served in that account. `aws --profile
// sandbox-222222222222 --region eu-west-1 ...` then calls that location.
func (s *Server) Profiles() string {
	var b strings.Builder
	for i, acct := range s.Accounts() {
		region := ""
		for _, l := range s.locs {
			if l.account == acct {
				region = l.region
				break
			}
		}
		c := s.creds[acct]
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[profile %s]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = %s\nendpoint_url = %s\n",
			ProfileName(acct), c.AccessKeyID, c.SecretAccessKey, region, s.URL())
	}
	return b.String()
}
