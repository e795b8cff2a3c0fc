package dev.hostplane.apiserver.printers;

import static dev.hostplane.apiserver.printers.Tables.meta;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Columns and cells of Nodes, Namespaces, Events (both APIs), Leases, PriorityClasses, RuntimeClasses, ConfigMaps,
 * Secrets, ServiceAccounts, ResourceQuotas, LimitRanges and PodDisruptionBudgets.
 */
class ClusterTablesTest {
  private static final String NODE = "Name(name), Status, Roles, Age, Version, Internal-IP*, External-IP*,"
      + " OS-Image*, Kernel-Version*, Container-Runtime*";
  private static final String EVENT = "Last Seen, Type, Reason, Object, Subobject*, Source*, Message, First Seen*,"
      + " Count*, Name(name)*";
  private static final String PDB = "Name(name), Min Available, Max Unavailable, Allowed Disruptions:integer, Age";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("cordoned control-plane node", "/v1/nodes", "{metadata: {name: 'node-1', creationTimestamp:"
            + " '2024-04-29T10:00:00Z', labels: {'kubernetes.io/hostname': 'node-1',"
            + " 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'infra',"
            + " 'node-role.kubernetes.io/': ''}}, spec: {unschedulable: true}, status: {conditions: [{type:"
            + " 'MemoryPressure', status: 'False'}, {type: 'Ready', status: 'True', reason: 'KubeletReady'}],"
            + " addresses: [{type: 'InternalIP', address: '10.0.0.11'}, {type: 'ExternalIP', address: '203.0.113.11'},"
            + " {type: 'ExternalIP', address: '203.0.113.12'}, {type: 'Hostname', address: 'node-1'}], nodeInfo:"
            + " {kubeletVersion: 'v1.30.2', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '5.15.0-105-generic',"
            + " containerRuntimeVersion: 'containerd://1.7.13'}}}",
            NODE, "['node-1', 'Ready,SchedulingDisabled', 'control-plane,infra', '2d2h', 'v1.30.2', '10.0.0.11',"
                + " '203.0.113.11', 'Ubuntu 22.04.4 LTS', '5.15.0-105-generic', 'containerd://1.7.13']"),
        Arguments.of("node not ready", "/v1/nodes", "{metadata: {name: 'node-2', creationTimestamp:"
            + " '2024-04-29T10:00:00Z', labels: {'node-role.kubernetes.io/worker': 'true'}}, status: {conditions:"
            + " [{type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown'}], nodeInfo: {kubeletVersion:"
            + " 'v1.29.0'}}}",
            NODE, "['node-2', 'NotReady', 'worker', '2d2h', 'v1.29.0', '<none>', '<none>', '<unknown>', '<unknown>',"
                + " '<unknown>']"),
        Arguments.of("node that never reported", "/v1/nodes", "{metadata: {name: 'node-3', creationTimestamp:"
            + " '2024-05-01T11:59:30Z'}}",
            NODE, "['node-3', 'Unknown', '<none>', '30s', '', '<none>', '<none>', '<unknown>', '<unknown>',"
                + " '<unknown>']"),
        Arguments.of("namespace", "/v1/namespaces", "{metadata: {name: 'kube-system', creationTimestamp:"
            + " '2024-04-29T10:00:00Z'}, spec: {finalizers: ['kubernetes']}, status: {phase: 'Active'}}",
            "Name(name), Status, Age", "['kube-system', 'Active', '2d2h']"),
        Arguments.of("namespace being deleted", "/v1/namespaces", "{metadata: {name: 'old', creationTimestamp:"
            + " '2023-01-01T00:00:00Z', deletionTimestamp: '2024-05-01T11:00:00Z'}, status: {phase: 'Terminating'}}",
            "Name(name), Status, Age", "['old', 'Terminating', '486d']"),
        Arguments.of("core event, repeated", "/v1/events", "{apiVersion: 'v1', kind: 'Event', metadata: {name:"
            + " 'web-x2x.17c1', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z'}, involvedObject:"
            + " {kind: 'Pod', name: 'web-x2x', namespace: 'default', fieldPath: 'spec.containers{app}'}, reason:"
            + " 'BackOff', message: 'Back-off restarting failed container app\\n', source: {component: 'kubelet', host:"
            + " 'node-1'}, firstTimestamp: '2024-05-01T11:00:00Z', lastTimestamp: '2024-05-01T11:58:00Z', count: 12,"
            + " type: 'Warning'}",
            EVENT, "['2m', 'Warning', 'BackOff', 'pod/web-x2x', 'spec.containers{app}', 'kubelet, node-1',"
                + " 'Back-off restarting failed container app', '60m', 12, 'web-x2x.17c1']"),
        Arguments.of("core event written through the new API, with a series", "/v1/events", "{metadata: {name:"
            + " 'p.17c3', namespace: 'default', creationTimestamp: '2024-05-01T11:50:00Z'}, involvedObject: {kind:"
            + " 'Pod', name: 'p'}, reason: 'Scheduled', message: 'ok', eventTime: '2024-05-01T11:50:00.123456Z',"
            + " series: {count: 3, lastObservedTime: '2024-05-01T11:59:00.000000Z'}, reportingComponent:"
            + " 'default-scheduler', reportingInstance: 'scheduler-1', type: 'Normal'}",
            EVENT, "['60s', 'Normal', 'Scheduled', 'pod/p', '', 'default-scheduler, scheduler-1', 'ok', '9m59s', 3,"
                + " 'p.17c3']"),
        Arguments.of("events.k8s.io event prints from its core form", "events.k8s.io/v1/events", "{apiVersion:"
            + " 'events.k8s.io/v1', kind: 'Event', metadata: {name: 'web.17c2', namespace: 'default',"
            + " creationTimestamp: '2024-05-01T11:55:00Z'}, eventTime: '2024-05-01T11:55:00.000000Z',"
            + " reportingController: 'kubelet', reportingInstance: 'node-1', action: 'Pulling', reason: 'Pulling',"
            + " regarding: {kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{app}'}, note:"
            + " 'Pulling image \"nginx:1.25\"', type: 'Normal'}",
            EVENT, "['5m', 'Normal', 'Pulling', 'pod/web', 'spec.containers{app}', 'kubelet, node-1',"
                + " 'Pulling image \"nginx:1.25\"', '5m', 1, 'web.17c2']"),
        Arguments.of("events.k8s.io event about a kind, deprecated fields", "events.k8s.io/v1/events", "{metadata:"
            + " {name: 'n.1', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z'}, regarding: {kind:"
            + " 'Node'}, reason: 'Rebooted', note: 'x', type: 'Warning', deprecatedSource: {component: 'kubelet'},"
            + " deprecatedFirstTimestamp: '2024-05-01T10:00:00Z', deprecatedLastTimestamp: '2024-05-01T11:30:00Z',"
            + " deprecatedCount: 2, eventTime: null}",
            EVENT, "['30m', 'Warning', 'Rebooted', 'node', '', 'kubelet', 'x', '120m', 2, 'n.1']"),
        Arguments.of("lease", "coordination.k8s.io/v1/leases", "{" + meta("kube-controller-manager") + ", spec:"
            + " {holderIdentity: 'cp-1_8a0e', leaseDurationSeconds: 15, renewTime: '2024-05-01T11:59:58.000000Z'}}",
            "Name(name), Holder, Age", "['kube-controller-manager', 'cp-1_8a0e', '2d2h']"),
        Arguments.of("priority class", "scheduling.k8s.io/v1/priorityclasses", "{" + meta("high") + ", value: 1000000,"
            + " globalDefault: false, preemptionPolicy: 'PreemptLowerPriority', description: 'important'}",
            "Name(name), Value:integer, Global-Default:boolean, Age, PreemptionPolicy",
            "['high', 1000000, false, '2d2h', 'PreemptLowerPriority']"),
        Arguments.of("runtime class", "node.k8s.io/v1/runtimeclasses", "{" + meta("gvisor") + ", handler: 'runsc'}",
            "Name(name), Handler, Age", "['gvisor', 'runsc', '2d2h']"),
        Arguments.of("config map", "/v1/configmaps", "{" + meta("settings") + ", data: {a: '1', b: '2'},"
            + " binaryData: {c: 'AAE='}}",
            "Name(name), Data, Age", "['settings', 3, '2d2h']"),
        Arguments.of("secret", "/v1/secrets", "{" + meta("web-tls") + ", type: 'kubernetes.io/tls', data:"
            + " {'tls.crt': 'LS0t', 'tls.key': 'LS0t'}}",
            "Name(name), Type, Data, Age", "['web-tls', 'kubernetes.io/tls', 2, '2d2h']"),
        Arguments.of("secret with stringData", "/v1/secrets", "{" + meta("creds") + ", type: 'Opaque', data:"
            + " {user: 'YQ=='}, stringData: {user: 'a', password: 'b'}}",
            "Name(name), Type, Data, Age", "['creds', 'Opaque', 2, '2d2h']"),
        Arguments.of("service account", "/v1/serviceaccounts", "{" + meta("builder") + ", secrets: [{name:"
            + " 'builder-token'}], imagePullSecrets: [{name: 'registry'}]}",
            "Name(name), Secrets, Age", "['builder', 1, '2d2h']"),
        Arguments.of("default service account", "/v1/serviceaccounts", "{" + meta("default") + "}",
            "Name(name), Secrets, Age", "['default', 0, '2d2h']"),
        Arguments.of("resource quota", "/v1/resourcequotas", "{" + meta("compute") + ", spec: {hard: {pods: '20'}},"
            + " status: {hard: {'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.cpu': '8', 'limits.memory':"
            + " '16Gi', pods: '20'}, used: {'requests.cpu': '1500m', 'requests.memory': '2Gi', 'limits.cpu': '3',"
            + " pods: '7'}}}",
            "Name(name), Request, Limit, Age", "['compute', 'pods: 7/20, requests.cpu: 1500m/4,"
                + " requests.memory: 2Gi/8Gi', 'limits.cpu: 3/8, limits.memory: 0/16Gi', '2d2h']"),
        Arguments.of("resource quota not yet counted", "/v1/resourcequotas", "{" + meta("fresh")
            + ", spec: {hard: {pods: '20'}}}",
            "Name(name), Request, Limit, Age", "['fresh', '', '', '2d2h']"),
        Arguments.of("limit range gets the default table", "/v1/limitranges", "{" + meta("defaults") + ", spec:"
            + " {limits: [{type: 'Container', default: {cpu: '500m'}}]}}",
            "Name(name), Created At:date", "['defaults', '2024-04-29T10:00:00Z']"),
        Arguments.of("pod disruption budget with minAvailable", "policy/v1/poddisruptionbudgets", "{" + meta("web")
            + ", spec: {minAvailable: 2, selector: {matchLabels: {app: 'web'}}}, status: {disruptionsAllowed: 1,"
            + " currentHealthy: 3, desiredHealthy: 2, expectedPods: 3}}",
            PDB, "['web', '2', 'N/A', 1, '2d2h']"),
        Arguments.of("pod disruption budget with maxUnavailable", "policy/v1/poddisruptionbudgets", "{"
            + meta("db") + ", spec: {maxUnavailable: '25%', selector: {matchLabels: {app: 'db'}}}}",
            PDB, "['db', 'N/A', '25%', 0, '2d2h']"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void printsLikeUpstream(String description, String gvr, String object, String columns, String cells) {
    Tables.assertPrints(gvr, object, columns, cells);
  }
}
