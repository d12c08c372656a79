package sandbox

import (
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/activations"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/automation"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/calendar"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/commands"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/documents"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/instanceconnect"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/nodes"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/opsitems"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/params"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/patch"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/secrets"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/sessions"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/sts"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/tagging"
)

// openAreas opens the service areas, in dependency order: an area may use
// the areas opened before it. Each area loads its section of the state
// file, registers its operations with the router and closes through the
// host. A new service is one line here.
func (s *Server) openAreas(h *area.Host, opts Options, fleet *Fleet) error {
	var prm *params.Area
	var tg *tagging.Area
	var cmds *commands.Area
	timing := commands.Timing{InvocationDelay: opts.InvocationDelay, RebootDelay: opts.RebootDelay, TimeoutScale: opts.TimeoutScale}
	sessCfg := sessions.Config{Addr: func() string { return s.ln.Addr().String() }, NoPacing: opts.NoPacing, TimeoutScale: opts.TimeoutScale}
	var act *activations.Area // opened last; sessions ask it about the tier once running
	sessCfg.Allow = func(id string) error { return act.SessionAllowed(id) }
	for _, open := range []func() error{
		func() (err error) { s.nodes, err = nodes.New(h, fleet); return err },
		func() (err error) { s.documents, err = documents.New(h); return err },
		func() (err error) { prm, err = params.New(h, opts.KMSKeys); return err },
		func() error { tg = tagging.New(h, s.nodes, prm); return nil },
		func() (err error) { cmds, err = commands.New(h, s.nodes, s.documents, timing); return err },
		func() (err error) { _, err = sessions.New(h, s.nodes, s.documents, sessCfg); return err },
		func() error { calendar.New(h, s.documents); return nil },
		func() (err error) { _, err = secrets.New(h); return err },
		func() error { oi, err := opsitems.New(h); tg.Serve("OpsItem", oi); return err },
		func() (err error) { act, err = activations.New(h, s.nodes); return err },
		func() (err error) { _, err = patch.New(h, s.nodes, cmds); return err },
		func() (err error) {
			_, err = automation.New(h, s.nodes, s.documents, cmds, opts.TimeoutScale)
			return err
		},
		func() error { sts.New(h); return nil },
		func() error { s.instanceConnect = instanceconnect.New(h, s.nodes); return nil },
	} {
		if err := open(); err != nil {
			return err
		}
	}
	return nil
}
