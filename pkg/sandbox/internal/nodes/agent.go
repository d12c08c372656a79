package nodes

// OutputErrorTitle is what the SSM Agent writes between a plugin's
// standard output and its error output when it reports both in one text
// (iohandler): Run Command's Output and a failed session's last words.
const OutputErrorTitle = "\n----------ERROR-------\n"
