package router

import "github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"

// Call runs a registered JSON 1.1 operation of svc with a JSON body, as a
// call from inside the sandbox (Automation's aws:executeAwsApi): it is not
// authenticated, counted, throttled or faulted. An operation the sandbox
// does not serve is UnknownOperationException.
func (r *Router) Call(svc *Service, name string, body []byte) (any, error) {
	r.mu.RLock()
	op := r.byTarget[svc.TargetPrefix+"."+name]
	r.mu.RUnlock()
	if op == nil {
		return nil, protocol.ErrUnknownOperation()
	}
	return op.Handler(body)
}
