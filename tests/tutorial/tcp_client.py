# The tutorial's TCP greeting client (program 1), ported to Python 3: bytes on the wire, otherwise
# unchanged (it prints the text it receives). The port may be given; 9999 as in the tutorial.
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 9999))
data = s.recv(1024)
print(data.decode())
for i in [b'zhangkang', b'jack', b'tom']:
    s.send(i)
    data = s.recv(1024)
    print(data.decode())
s.send(b'exit')
s.close()
