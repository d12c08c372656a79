package output

import "testing"

func TestReadSecretFromReader(t *testing.T) {
	s, in, _, errOut := Test()
	in.WriteString("pa ss\r\nnext\n")
	got, err := s.ReadSecret("Value: ")
	if err != nil || got != "pa ss" || errOut.String() != "Value: \n" {
		t.Errorf("got %q %v, stderr %q", got, err, errOut.String())
	}
	s, _, _, _ = Test()
	if _, err := s.ReadSecret("Value: "); err == nil {
		t.Error("end of input gave a value")
	}
}
