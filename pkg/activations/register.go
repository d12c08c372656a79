package activations

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

// Registration is what `amazon-ssm-agent -register` sends: the
// activation's ID and code, and the machine it runs on.
type Registration struct {
	ActivationID string
	Code         string
	Name         string // the node's name; "" keeps the activation's default
	Tags         map[string]string
	Machine      Machine
}

// Machine is the platform the agent reports for its node.
type Machine struct {
	PlatformType    string `json:"PlatformType,omitempty"`
	PlatformName    string `json:"PlatformName,omitempty"`
	PlatformVersion string `json:"PlatformVersion,omitempty"`
	ComputerName    string `json:"ComputerName,omitempty"`
	IPAddress       string `json:"IPAddress,omitempty"`
}

// LocalMachine is this machine as the agent would report it: platform
// (from /etc/os-release on Linux), host name and first non-loopback IPv4
// address (127.0.0.1 when there is none).
func LocalMachine() Machine {
	m := Machine{PlatformType: "Linux", IPAddress: "127.0.0.1"}
	switch runtime.GOOS {
	case "darwin":
		m.PlatformType, m.PlatformName = "MacOS", "macOS"
	case "windows":
		m.PlatformType, m.PlatformName = "Windows", "Microsoft Windows"
	default:
		m.PlatformName, m.PlatformVersion = osRelease("/etc/os-release")
	}
	if h, err := os.Hostname(); err == nil {
		m.ComputerName = h
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
				m.IPAddress = ipn.IP.String()
				break
			}
		}
	}
	return m
}

// osRelease reads NAME and VERSION_ID from an os-release file.
func osRelease(path string) (name, version string) {
	f, err := os.Open(path)
	if err != nil {
		return "Linux", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "NAME":
			name = v
		case "VERSION_ID":
			version = v
		}
	}
	if name == "" {
		name = "Linux"
	}
	return name, version
}

// Register plays the agent's registration against the endpoint of cfg
// (a sandbox: AWS's own RegisterManagedInstance wants the agent's key
// pair and is not for clients), signed for region. It answers the new
// node's ID; a refusal is the agent's error line, exit 254.
func Register(ctx context.Context, cfg aws.Config, region string, r Registration) (string, error) {
	if cfg.BaseEndpoint == nil || *cfg.BaseEndpoint == "" {
		return "", exitcode.New(exitcode.Config, "no sandbox endpoint: registration talks to a running sandbox (source its --env-file, or pass --endpoint-url)")
	}
	if cfg.Credentials == nil {
		return "", exitcode.New(exitcode.Config, "no credentials to sign the registration with")
	}
	if region == "" {
		region = cfg.Region
	}
	body := struct {
		ActivationId   string
		ActivationCode string
		Name           string            `json:",omitempty"`
		Tags           map[string]string `json:",omitempty"`
		Machine
	}{r.ActivationID, r.Code, r.Name, r.Tags, r.Machine}
	b, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(*cfg.BaseEndpoint, "/")+"/", bytes.NewReader(b))
	if err != nil {
		return "", exitcode.New(exitcode.Config, "sandbox endpoint %q: %v", *cfg.BaseEndpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.RegisterManagedInstance")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", exitcode.Wrap(exitcode.Config, err)
	}
	sum := sha256.Sum256(b)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", region, time.Now()); err != nil {
		return "", err
	}
	var client interface {
		Do(*http.Request) (*http.Response, error)
	} = http.DefaultClient
	if cfg.HTTPClient != nil {
		client = cfg.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", exitcode.Wrap(exitcode.AWS, fmt.Errorf("registration failed: RequestError: send request failed: %w", err))
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var out struct {
		InstanceId string
		Type       string `json:"__type"`
		Message    string `json:"message"`
	}
	_ = json.Unmarshal(rb, &out)
	if resp.StatusCode != http.StatusOK || out.InstanceId == "" {
		typ := out.Type
		if i := strings.LastIndex(typ, "#"); i >= 0 {
			typ = typ[i+1:]
		}
		if typ == "" {
			typ = resp.Status
		}
		// The agent's line: "Registration failed due to error registering
		// the instance with AWS SSM. ActivationExpired: ..."
		return "", exitcode.Wrap(exitcode.AWS, fmt.Errorf("registration failed due to error registering the instance with AWS SSM. %s: %s", typ, out.Message))
	}
	return out.InstanceId, nil
}
