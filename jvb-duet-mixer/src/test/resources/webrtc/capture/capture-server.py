import http.server, threading
done = threading.Event()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        body = open('/tmp/cap/offer.html','rb').read()
        self.send_response(200); self.send_header('Content-Type','text/html'); self.end_headers(); self.wfile.write(body)
    def do_POST(self):
        n = int(self.headers['Content-Length']); data = self.rfile.read(n)
        open('/tmp/cap/result.json','wb').write(data)
        self.send_response(200); self.send_header('Access-Control-Allow-Origin','*'); self.end_headers()
        done.set()
s = http.server.HTTPServer(('127.0.0.1', 8765), H)
threading.Thread(target=s.serve_forever, daemon=True).start()
done.wait(50)
