"""An admission webhook served over HTTPS by a pod of the sandbox node (the tunnel webhook tests).

Usage: webhook_pod.py HOST PORT CERT KEY

Paths: /allow allows; /mutate adds the label hooked-by=tunnel-pod (JSONPatch); /validate denies ConfigMaps named
forbidden-*; /connect denies every CONNECT. HTTP/1.1 keep-alive; the TLS handshake runs on the handler thread.
"""
import base64
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY the body waits for a delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        review = json.loads(self.rfile.read(length))
        request = review["request"]
        response = {"uid": request["uid"], "allowed": True}
        path = self.path.split("?", 1)[0]
        name = ((request.get("object") or {}).get("metadata") or {}).get("name", "")
        if path == "/mutate":
            patch = [{"op": "add", "path": "/metadata/labels", "value": {"hooked-by": "tunnel-pod"}}]
            response["patchType"] = "JSONPatch"
            response["patch"] = base64.b64encode(json.dumps(patch).encode()).decode()
        elif path == "/validate" and name.startswith("forbidden-"):
            response["allowed"] = False
            response["status"] = {"code": 403, "message": "configmaps named forbidden-* are refused by the pod"}
        elif path == "/connect":
            response["allowed"] = False
            response["status"] = {"code": 403, "message": "%s of pod %s is refused by the pod" % (
                request.get("subResource", ""), request.get("name", ""))}
        body = json.dumps({"apiVersion": review.get("apiVersion", "admission.k8s.io/v1"),
                           "kind": "AdmissionReview", "response": response}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    host, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print("webhook serving on %s:%d" % (host, port), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
