package protocol

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SigV4 verification. The sandbox recomputes the canonical request, the
// string to sign and the signature from the headers the client says it
// signed, as AWS does, rather than re-signing with an SDK signer: clients
// (botocore, the Go SDK) sign different header sets, and both must pass.
//
// Error answers for JSON services, and where each was checked:
//   - no Authorization header: 400 MissingAuthenticationTokenException
//     "Missing Authentication Token" (the exception name and message AWS
//     front ends return, e.g. github.com/common-voice/common-voice#1599; JSON
//     services answer it with status 400 like their other sender faults).
//   - unknown access key: 400 UnrecognizedClientException "The security
//     token included in the request is invalid." (SSM: status 400 in
//     coveooss/spring-boot-parameter-store-integration#3; body shape with
//     __type in ArranJacques/laravel-aws-cognito-auth#25).
//   - wrong signature: 400 InvalidSignatureException "The request signature
//     we calculated does not match the signature you provided. ..." (AWS
//     SigV4 troubleshooting guide wording).
//   - clock skew over 15 minutes: 400 InvalidSignatureException "Signature
//     expired: 20140325T143453Z is now earlier than 20140325T143751Z
//     (20140325T145251Z - 15 min.)" (aws/aws-sdk-js#254, aws/aws-cli#6676),
//     and "Signature not yet current: … is still later than … (… + 15 min.)"
//     for the future (aws/aws-sdk-go#2194).
//   - wrong region in the credential scope: InvalidSignatureException
//     "Credential should be scoped to a valid region, not 'us-west-1'. "
//     (aws/aws-sdk-ruby#508, aws/aws-sdk-java#1097).
//   - wrong service in the scope: InvalidSignatureException "Credential
//     should be scoped to correct service: 'ssm'. ".
//   - a malformed header: 400 IncompleteSignatureException naming what is
//     missing ("Authorization header requires 'Signature' parameter.").

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDateFmt   = "20060102T150405Z"
	maxClockSkew = 15 * time.Minute
	badSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

func errMissingAuth() *APIError {
	return Errorf(http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
}

func errIncompleteSignature(msg string) *APIError {
	return Errorf(http.StatusBadRequest, "IncompleteSignatureException", "%s", msg)
}

func errInvalidSignature(msg string) *APIError {
	return Errorf(http.StatusBadRequest, "InvalidSignatureException", "%s", msg)
}

func errUnrecognizedClient() *APIError {
	return Errorf(http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
}

// Verifier checks SigV4 signatures against the sandbox's one set of
// credentials and its region.
type Verifier struct {
	Region      string
	AccessKeyID string
	SecretKey   string
	Clock       func() time.Time
	// Known says whether a signing name is one of the sandbox's services.
	Known func(signingName string) bool
}

// Authenticate checks the request's SigV4 signature. signingName is the
// service name the credential scope must name ("" when the service is
// unknown: any of the sandbox's services is then accepted, and the request
// fails later as an unknown operation).
// authParams splits a SigV4 Authorization header into its algorithm and
// its parameters (Credential, SignedHeaders, Signature).
func authParams(authz string) (algo string, params map[string]string) {
	algo, rest, _ := strings.Cut(authz, " ")
	params = map[string]string{}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if ok {
			params[k] = v
		}
	}
	return algo, params
}

// CredentialScope is the access key ID and Region of a request's SigV4
// Authorization header, read as Authenticate reads them ("" when the
// header has no well-formed Credential). The sandbox routes by them
// before a location's Verifier authenticates the request.
func CredentialScope(r *http.Request) (keyID, region string) {
	_, params := authParams(r.Header.Get("Authorization"))
	cred := strings.Split(params["Credential"], "/")
	if len(cred) != 5 {
		return "", ""
	}
	return cred[0], cred[2]
}

func (s *Verifier) Authenticate(r *http.Request, body []byte, signingName string) *APIError {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return errMissingAuth()
	}
	algo, params := authParams(authz)
	var missing []string
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[p] == "" {
			missing = append(missing, fmt.Sprintf("Authorization header requires '%s' parameter.", p))
		}
	}
	rawDate := r.Header.Get("X-Amz-Date")
	if rawDate == "" && r.Header.Get("Date") == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if algo != sigAlgorithm || len(missing) > 0 {
		if algo != sigAlgorithm && len(missing) == 0 {
			return errIncompleteSignature(fmt.Sprintf("Unsupported AWS 'algorithm': '%s'.", algo))
		}
		// AWS echoes the header; the signature in it is not a secret.
		return errIncompleteSignature(strings.Join(missing, " ") + " Authorization=" + authz)
	}

	var reqTime time.Time
	var err error
	if rawDate != "" {
		reqTime, err = time.Parse(amzDateFmt, rawDate)
	} else {
		reqTime, err = http.ParseTime(r.Header.Get("Date"))
		rawDate = reqTime.UTC().Format(amzDateFmt)
	}
	if err != nil {
		return errIncompleteSignature(fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", rawDate))
	}

	cred := strings.Split(params["Credential"], "/")
	if len(cred) != 5 {
		return errIncompleteSignature(fmt.Sprintf("Credential should have 5 slash-separated parts (ACCESS_KEY/DATE/REGION/SERVICE/aws4_request), not %d.", len(cred)))
	}
	keyID, scopeDate, region, service, term := cred[0], cred[1], cred[2], cred[3], cred[4]
	if term != "aws4_request" {
		return errInvalidSignature(fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", term))
	}
	if scopeDate != rawDate[:8] {
		return errInvalidSignature(fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", scopeDate, rawDate[:8], rawDate))
	}
	if region != s.Region {
		return errInvalidSignature(fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", region))
	}
	if signingName != "" && service != signingName {
		return errInvalidSignature(fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", signingName))
	}
	if signingName == "" && !s.Known(service) {
		return errInvalidSignature(fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", "ssm"))
	}
	if keyID != s.AccessKeyID {
		return errUnrecognizedClient()
	}

	now := s.Clock().UTC()
	if reqTime.Before(now.Add(-maxClockSkew)) {
		return errInvalidSignature(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			rawDate, now.Add(-maxClockSkew).Format(amzDateFmt), now.Format(amzDateFmt)))
	}
	if reqTime.After(now.Add(maxClockSkew)) {
		return errInvalidSignature(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			rawDate, now.Add(maxClockSkew).Format(amzDateFmt), now.Format(amzDateFmt)))
	}

	signed := strings.Split(params["SignedHeaders"], ";")
	hasHost := false
	for _, h := range signed {
		if h == "host" {
			hasHost = true
		}
	}
	if !hasHost {
		return errInvalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}

	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		// The client declared a body other than the one that arrived.
		return errInvalidSignature(badSignature)
	}

	canonical := canonicalRequest(r, signed, payloadHash)
	scope := strings.Join(cred[1:], "/")
	creq := sha256.Sum256([]byte(canonical))
	stringToSign := sigAlgorithm + "\n" + rawDate + "\n" + scope + "\n" + hex.EncodeToString(creq[:])
	key := hmacSHA256([]byte("AWS4"+s.SecretKey), scopeDate)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, stringToSign))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(params["Signature"]))) {
		return errInvalidSignature(badSignature)
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalRequest builds the SigV4 canonical request for the headers the
// client signed.
func canonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL.EscapedPath()))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.RawQuery))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	default:
		values = r.Header.Values(name)
		if len(values) == 0 && name == "content-length" && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// canonicalURI encodes each segment of the (already escaped) path once
// more: every AWS service but S3 double-encodes.
func canonicalURI(escaped string) string {
	if escaped == "" {
		return "/"
	}
	segs := strings.Split(escaped, "/")
	for i, s := range segs {
		segs[i] = uriEncode(s)
	}
	return strings.Join(segs, "/")
}

func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	vals, _ := url.ParseQuery(raw)
	pairs := make([]string, 0, len(vals))
	for k, vs := range vals {
		for _, v := range vs {
			pairs = append(pairs, uriEncode(k)+"="+uriEncode(v))
		}
	}
	sort.Strings(pairs)
	return strings.Join(pairs, "&")
}

// uriEncode is SigV4's URI encoding: everything but the RFC 3986 unreserved
// characters as %XX with upper-case hex.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
