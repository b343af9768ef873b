# The tutorial's UDP greeting client (program 2), ported to Python 3: bytes on the wire, otherwise
# unchanged (it prints the text it receives). The port may be given; 9999 as in the tutorial.
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 9999
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for data in [b'zhangkang', b'jack', b'tom']:
    s.sendto(data, ('127.0.0.1', port))
    print(s.recv(1024).decode())
s.close()
