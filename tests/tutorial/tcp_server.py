# The tutorial's TCP greeting server (program 1), ported to Python 3: bytes on the wire, otherwise
# unchanged. For the tests the port may be given (default 9999, as in the tutorial; 0 takes a free
# one) and the waiting line also says which port it got.
import socket
import sys
import threading


def tcplink(sock, addr):
    print('Accept new connection from %s:%s...' % addr)
    sock.send(b'welcome!')
    while True:
        data = sock.recv(1024)
        if data == b'exit' or not data:
            break
        sock.send(b'hello %s' % data)
    sock.close()
    print('Connection from %s:%s closed' % addr)


s = socket.socket()
s.bind(('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 9999))
s.listen(5)
print('serve is waiting connect..... port %d' % s.getsockname()[1])
while True:
    sock, addr = s.accept()
    t = threading.Thread(target=tcplink, args=(sock, addr))
    t.start()
