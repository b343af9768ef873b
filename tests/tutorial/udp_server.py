# The tutorial's UDP greeting server (program 2), ported to Python 3: bytes on the wire, otherwise
# unchanged. For the tests the port may be given (default 9999, as in the tutorial; 0 takes a free
# one) and a first line says which port it got.
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 9999))
print('Bind UDP on port %d' % s.getsockname()[1])
while True:
    data, addr = s.recvfrom(1024)
    print('Received from %s:%s' % addr)
    s.sendto(b'Hello, %s!' % data, addr)
