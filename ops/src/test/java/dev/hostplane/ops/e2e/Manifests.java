package dev.hostplane.ops.e2e;

/** The YAML the kubectl suites create objects from. */
final class Manifests {
  private Manifests() {}

  /** A Deployment {@code web}, a Service {@code web} (port 80 to 8080) and a Pod {@code web-0}, all app=web. */
  static final String WEB = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels: {app: web}
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: nginx
              image: nginx:1.27
              ports:
              - containerPort: 80
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        labels: {app: web}
      spec:
        selector: {app: web}
        ports:
        - port: 80
          targetPort: 8080
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-0
        labels: {app: web}
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """;

  static String namespace(String name) {
    return """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: %s
        """.formatted(name);
  }

  /** A ConfigMap with {@code labels} (flow-style YAML, e.g. {@code "app: web, tier: front"}) and one key. */
  static String configMap(String name, String labels) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %s
          labels: {%s}
        data:
          key: value-of-%s
        """.formatted(name, labels, name);
  }

  /** A NodePort Service asking for a given cluster IP and node port. */
  static String nodePortService(String name, String clusterIp, int nodePort) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          labels: {app: fixed}
        spec:
          type: NodePort
          clusterIP: %s
          ports:
          - port: 80
            nodePort: %d
        """.formatted(name, clusterIp, nodePort);
  }
  /**
   * A Deployment {@code web} with two containers: {@code web} ({@code image}, env A=1 and, when {@code withB},
   * B=2) and {@code sidecar} (busybox).
   */
  static String twoContainerDeployment(String image, boolean withB) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: %s
                env:
                - name: A
                  value: "1"
        %s      - name: sidecar
                image: busybox:1.36
        """.formatted(image, withB ? """
                        - name: B
                          value: "2"
                """ : "");
  }

  static String node(String name) {
    return """
        apiVersion: v1
        kind: Node
        metadata:
          name: %s
        """.formatted(name);
  }

  /** A Pod with one container, bound to {@code node} when it is not null. */
  static String pod(String name, String node) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          labels: {app: p}
        spec:
        %s  containers:
          - name: c
            image: busybox:1.36
        """.formatted(name, node == null ? "" : "  nodeName: " + node + "\n");
  }
}
