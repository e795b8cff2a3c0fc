package dev.hostplane.apiserver.printers;

import static dev.hostplane.apiserver.printers.Tables.meta;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Columns and cells of Services, Endpoints, EndpointSlices, Ingresses, IngressClasses and NetworkPolicies. */
class NetworkTablesTest {
  private static final String SERVICE = "Name(name), Type, Cluster-IP, External-IP, Port(s), Age, Selector*";
  private static final String SLICE = "Name(name), AddressType, Ports, Endpoints, Age";
  private static final String INGRESS = "Name(name), Class, Hosts, Address, Ports, Age";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("ClusterIP service", "/v1/services", "{" + meta("web") + ", spec: {type: 'ClusterIP',"
            + " clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], ports: [{name: 'http', port: 80,"
            + " targetPort: 8080, protocol: 'TCP'}, {name: 'dns', port: 53, protocol: 'UDP'}],"
            + " selector: {app: 'web'}}}",
            SERVICE, "['web', 'ClusterIP', '10.96.12.34', '<none>', '80/TCP,53/UDP', '2d2h', 'app=web']"),
        Arguments.of("NodePort service with an external IP", "/v1/services", "{" + meta("web-np") + ", spec: {type:"
            + " 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], externalIPs: ['203.0.113.7'],"
            + " ports: [{port: 80, nodePort: 30080, protocol: 'TCP'}]}}",
            SERVICE, "['web-np', 'NodePort', '10.96.0.20', '203.0.113.7', '80:30080/TCP', '2d2h', '<none>']"),
        Arguments.of("LoadBalancer service, pending", "/v1/services", "{" + meta("lb") + ", spec: {type:"
            + " 'LoadBalancer', clusterIP: '10.96.0.30', clusterIPs: ['10.96.0.30'], ports: [{port: 443,"
            + " nodePort: 31443, protocol: 'TCP'}], selector: {app: 'lb', tier: 'edge'}}, status: {loadBalancer: {}}}",
            SERVICE, "['lb', 'LoadBalancer', '10.96.0.30', '<pending>', '443:31443/TCP', '2d2h',"
                + " 'app=lb,tier=edge']"),
        Arguments.of("LoadBalancer service with ingress, never clipped", "/v1/services", "{" + meta("lb2")
            + ", spec: {type: 'LoadBalancer', clusterIPs: ['10.96.0.31'], externalIPs: ['203.0.113.9'], ports:"
            + " [{port: 80, nodePort: 30081, protocol: 'TCP'}]}, status: {loadBalancer: {ingress: [{ip:"
            + " '198.51.100.2'}, {hostname: 'a-very-long-load-balancer.example.com'}, {ip: '198.51.100.1'},"
            + " {ip: '198.51.100.2'}]}}}",
            SERVICE, "['lb2', 'LoadBalancer', '10.96.0.31',"
                + " '198.51.100.1,198.51.100.2,a-very-long-load-balancer.example.com,203.0.113.9', '80:30081/TCP',"
                + " '2d2h', '<none>']"),
        Arguments.of("ExternalName service", "/v1/services", "{" + meta("db") + ", spec: {type: 'ExternalName',"
            + " externalName: 'db.example.com'}}",
            SERVICE, "['db', 'ExternalName', '<none>', 'db.example.com', '<none>', '2d2h', '<none>']"),
        Arguments.of("headless service", "/v1/services", "{" + meta("db-headless") + ", spec: {type: 'ClusterIP',"
            + " clusterIP: 'None', clusterIPs: ['None'], ports: [{port: 5432, protocol: 'TCP'}], selector: {app:"
            + " 'db'}}}",
            SERVICE, "['db-headless', 'ClusterIP', 'None', '<none>', '5432/TCP', '2d2h', 'app=db']"),
        Arguments.of("endpoints, more than three", "/v1/endpoints", "{" + meta("web") + ", subsets: [{addresses:"
            + " [{ip: '10.244.1.5'}, {ip: '10.244.2.7'}], ports: [{name: 'http', port: 8080, protocol: 'TCP'}]},"
            + " {addresses: [{ip: 'fd00::5'}, {ip: '10.244.3.9'}], ports: [{port: 8443}]}]}",
            "Name(name), Endpoints, Age",
            "['web', '10.244.1.5:8080,10.244.2.7:8080,[fd00::5]:8443 + 1 more...', '2d2h']"),
        Arguments.of("endpoints of a headless service without ports", "/v1/endpoints", "{" + meta("dns")
            + ", subsets: [{addresses: [{ip: '10.244.1.5'}], notReadyAddresses: [{ip: '10.244.1.6'}]}]}",
            "Name(name), Endpoints, Age", "['dns', '10.244.1.5', '2d2h']"),
        Arguments.of("endpoints without subsets", "/v1/endpoints", "{" + meta("none") + "}",
            "Name(name), Endpoints, Age", "['none', '<none>', '2d2h']"),
        Arguments.of("endpoint slice", "discovery.k8s.io/v1/endpointslices", "{" + meta("web-abc12")
            + ", addressType: 'IPv4', ports: [{name: 'http', port: 8080, protocol: 'TCP'}], endpoints: [{addresses:"
            + " ['10.244.1.5'], conditions: {ready: true}}, {addresses: ['10.244.2.7'], conditions: {ready: false}}]}",
            SLICE, "['web-abc12', 'IPv4', '8080', '10.244.1.5,10.244.2.7', '2d2h']"),
        Arguments.of("endpoint slice, unnamed and many", "discovery.k8s.io/v1/endpointslices", "{" + meta("big")
            + ", addressType: 'IPv6', ports: [{}, {name: 'metrics'}, {port: 53}, {port: 54}], endpoints: [{addresses:"
            + " ['fd00::1', 'fd00::2']}, {addresses: ['fd00::3']}, {addresses: ['fd00::4']},"
            + " {addresses: ['fd00::5']}]}",
            SLICE, "['big', 'IPv6', '*,metrics,53 + 1 more...', 'fd00::1,fd00::2,fd00::3 + 2 more...', '2d2h']"),
        Arguments.of("empty endpoint slice", "discovery.k8s.io/v1/endpointslices", "{" + meta("empty")
            + ", addressType: 'IPv4', endpoints: []}",
            SLICE, "['empty', 'IPv4', '<unset>', '<unset>', '2d2h']"),
        Arguments.of("ingress with TLS", "networking.k8s.io/v1/ingresses", "{" + meta("web") + ", spec:"
            + " {ingressClassName: 'nginx', tls: [{hosts: ['web.example.com'], secretName: 'web-tls'}], rules:"
            + " [{host: 'web.example.com', http: {paths: [{path: '/', pathType: 'Prefix', backend: {service: {name:"
            + " 'web', port: {number: 80}}}}]}}, {host: 'api.example.com'}]}, status: {loadBalancer: {ingress:"
            + " [{ip: '198.51.100.10'}]}}}",
            INGRESS, "['web', 'nginx', 'web.example.com,api.example.com', '198.51.100.10', '80, 443', '2d2h']"),
        Arguments.of("ingress with a default backend only", "networking.k8s.io/v1/ingresses", "{" + meta("default")
            + ", spec: {defaultBackend: {service: {name: 'web', port: {number: 80}}}}}",
            INGRESS, "['default', '<none>', '*', '', '80', '2d2h']"),
        Arguments.of("ingress with many hosts", "networking.k8s.io/v1/ingresses", "{" + meta("many") + ", spec:"
            + " {ingressClassName: 'traefik', rules: [{host: 'a.example'}, {}, {host: 'b.example'},"
            + " {host: 'c.example'}, {host: 'd.example'}]}}",
            INGRESS, "['many', 'traefik', 'a.example,b.example,c.example + 2 more...', '', '80', '2d2h']"),
        Arguments.of("ingress class with parameters", "networking.k8s.io/v1/ingressclasses", "{" + meta("nginx")
            + ", spec: {controller: 'k8s.io/ingress-nginx', parameters: {apiGroup: 'k8s.example.com', kind:"
            + " 'IngressParameters', name: 'external-lb'}}}",
            "Name(name), Controller, Parameters, Age",
            "['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb', '2d2h']"),
        Arguments.of("ingress class without parameters", "networking.k8s.io/v1/ingressclasses", "{" + meta("plain")
            + ", spec: {controller: 'example.com/ingress'}}",
            "Name(name), Controller, Parameters, Age", "['plain', 'example.com/ingress', '<none>', '2d2h']"),
        Arguments.of("network policy selecting all pods", "networking.k8s.io/v1/networkpolicies", "{"
            + meta("deny-all") + ", spec: {podSelector: {}, policyTypes: ['Ingress']}}",
            "Name(name), Pod-Selector, Age", "['deny-all', '<none>', '2d2h']"),
        Arguments.of("network policy with a selector", "networking.k8s.io/v1/networkpolicies", "{"
            + meta("allow-web") + ", spec: {podSelector: {matchLabels: {role: 'db'}, matchExpressions: [{key:"
            + " 'env', operator: 'NotIn', values: ['test', 'dev']}]}, ingress: [{}]}}",
            "Name(name), Pod-Selector, Age", "['allow-web', 'env notin (dev,test),role=db', '2d2h']"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void printsLikeUpstream(String description, String gvr, String object, String columns, String cells) {
    Tables.assertPrints(gvr, object, columns, cells);
  }
}
