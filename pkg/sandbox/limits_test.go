package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/router"
)

// A request body is capped at router.MaxBody: anything larger is answered
// 413 in AWS's error shape, signed or not, whether Content-Length
// announces it or a chunked body grows past it; a body just below the cap
// reaches the operation.
func TestRequestBodyCap(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	big := `{"Name":"/big","Type":"String","Value":"` + strings.Repeat("x", router.MaxBody) + `"}`
	for name, sign := range map[string]*signSpec{"unsigned": nil, "signed": {}} {
		got := rawCall(t, s, "AmazonSSM.PutParameter", big, sign)
		if got.Status != http.StatusRequestEntityTooLarge || got.Type != "RequestEntityTooLargeException" ||
			!strings.Contains(fmt.Sprint(got.Body["message"]), fmt.Sprint(router.MaxBody)) {
			t.Errorf("%s oversized body: %d %v", name, got.Status, got.Body)
		}
	}
	// Chunked: no Content-Length, the cap stops the read.
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/", io.MultiReader(strings.NewReader(big), strings.NewReader(big)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AmazonSSM.PutParameter")
	if got := do(t, req); got.Status != http.StatusRequestEntityTooLarge || got.Type != "RequestEntityTooLargeException" {
		t.Errorf("chunked oversized body: %d %v", got.Status, got.Body)
	}
	// Just below the cap the call is authenticated and validated.
	fits := `{"Name":"/big","Type":"String","Value":"` + strings.Repeat("x", router.MaxBody-100) + `"}`
	if got := rawCall(t, s, "AmazonSSM.PutParameter", fits, &signSpec{}); got.Status != 400 || got.Type != "ValidationException" {
		t.Errorf("body below the cap: %d %v", got.Status, got.Body)
	}
	st := s.Stats().Operations["ssm.PutParameter"]
	if st.Calls != 4 || st.Errors != 4 {
		t.Errorf("stats %+v", st)
	}
}

// rawConn opens a TCP connection to the sandbox.
func rawConn(t *testing.T, s *Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// A bound on the test, far above the sandbox's timeouts here.
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn
}

// A body that does not arrive within the body timeout is answered 408
// and its connection closed; headers that do not arrive within the header
// timeout close the connection. Neither holds a connection.
func TestSlowRequestTimeouts(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{readTimeout: 200 * time.Millisecond})

	conn := rawConn(t, s)
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: sandbox\r\nX-Amz-Target: AmazonSSM.DescribeInstanceInformation\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{\"Max")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("slow body: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || resp.Header.Get("X-Amzn-ErrorType") != "RequestTimeoutException" || !resp.Close {
		t.Errorf("slow body: %d %q %s (close %v)", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body, resp.Close)
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("after the 408 the connection is still open: %v", err)
	}

	conn = rawConn(t, s)
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: sand")
	if _, err := conn.Read(make([]byte, 1)); err == nil || !errors.Is(err, io.EOF) {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("slow headers: the sandbox held the connection")
		}
		t.Errorf("slow headers: %v, want the connection closed", err)
	}
}
