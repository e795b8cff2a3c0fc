package dev.hostplane.apiserver.printers;

import static dev.hostplane.apiserver.printers.Tables.meta;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Columns and cells of pods, the apps and batch controllers, pod templates, revisions and autoscalers. */
class WorkloadTablesTest {
  private static final String POD = "Name(name), Ready, Status, Restarts, Age, IP*, Node*, Nominated Node*,"
      + " Readiness Gates*";
  private static final String DEPLOYMENT = "Name(name), Ready, Up-to-date, Available, Age, Containers*, Images*,"
      + " Selector*";
  private static final String REPLICAS = "Name(name), Desired:integer, Current:integer, Ready:integer, Age,"
      + " Containers*, Images*, Selector*";
  private static final String JOB = "Name(name), Status, Completions, Duration, Age, Containers*, Images*,"
      + " Selector*";
  private static final String CRON_JOB = "Name(name), Schedule, Timezone, Suspend:boolean, Active:integer,"
      + " Last Schedule, Age, Containers*, Images*, Selector*";
  private static final String HPA = "Name(name), Reference, Targets, MinPods, MaxPods, Replicas, Age";
  private static final String TEMPLATE = "template: {metadata: {labels: {app: 'web'}}, spec: {containers: ["
      + "{name: 'nginx', image: 'nginx:1.25'}, {name: 'sidecar', image: 'busybox:1.36'}]}}";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("running pod, wide cells", "/v1/pods", "{apiVersion: 'v1', kind: 'Pod', " + meta("web-x2x")
            + ", spec: {nodeName: 'node-1', readinessGates: [{conditionType: 'example.com/lb-ready'}],"
            + " containers: [{name: 'app', image: 'nginx:1.25'}]}, status: {phase: 'Running', podIP: '10.244.1.5',"
            + " podIPs: [{ip: '10.244.1.5'}, {ip: 'fd00::5'}], conditions: [{type: 'Ready', status: 'True'},"
            + " {type: 'example.com/lb-ready', status: 'True'}], containerStatuses: [{name: 'app', ready: true,"
            + " restartCount: 0, state: {running: {startedAt: '2024-04-29T10:00:05Z'}}}]}}",
            POD, "['web-x2x', '1/1', 'Running', '0', '2d2h', '10.244.1.5', 'node-1', '<none>', '1/1']"),
        Arguments.of("pod nominated, gates unmet, only podIP", "/v1/pods", "{" + meta("pending")
            + ", spec: {readinessGates: [{conditionType: 'a'}, {conditionType: 'b'}], containers: [{name: 'app'}]},"
            + " status: {phase: 'Pending', podIP: '10.0.0.9', nominatedNodeName: 'node-2',"
            + " conditions: [{type: 'a', status: 'False'}]}}",
            POD, "['pending', '0/1', 'Pending', '0', '2d2h', '10.0.0.9', '<none>', 'node-2', '0/2']"),
        Arguments.of("deployment", "apps/v1/deployments", "{" + meta("web") + ", spec: {replicas: 3,"
            + " selector: {matchLabels: {app: 'web'}}, " + TEMPLATE + "}, status: {replicas: 3, readyReplicas: 2,"
            + " updatedReplicas: 3, availableReplicas: 2}}",
            DEPLOYMENT, "['web', '2/3', 3, 2, '2d2h', 'nginx,sidecar', 'nginx:1.25,busybox:1.36', 'app=web']"),
        Arguments.of("deployment scaled to zero, no status", "apps/v1/deployments", "{" + meta("idle")
            + ", spec: {replicas: 0, selector: {}, " + TEMPLATE + "}}",
            DEPLOYMENT, "['idle', '0/0', 0, 0, '2d2h', 'nginx,sidecar', 'nginx:1.25,busybox:1.36', '']"),
        Arguments.of("replica set with set-based selector", "apps/v1/replicasets", "{" + meta("web-7d4b9c")
            + ", spec: {replicas: 3, selector: {matchLabels: {app: 'web', 'pod-template-hash': '7d4b9c'},"
            + " matchExpressions: [{key: 'tier', operator: 'In', values: ['frontend', 'backend']},"
            + " {key: 'canary', operator: 'DoesNotExist'}]}, template: {spec: {containers: [{name: 'nginx',"
            + " image: 'nginx:1.25'}]}}}, status: {replicas: 3, readyReplicas: 3, availableReplicas: 3}}",
            REPLICAS, "['web-7d4b9c', 3, 3, 3, '2d2h', 'nginx', 'nginx:1.25',"
                + " 'app=web,!canary,pod-template-hash=7d4b9c,tier in (backend,frontend)']"),
        Arguments.of("replication controller", "/v1/replicationcontrollers", "{" + meta("legacy")
            + ", spec: {replicas: 2, selector: {app: 'legacy'}, template: {metadata: {labels: {app: 'legacy'}},"
            + " spec: {containers: [{name: 'app', image: 'nginx:1.25'}]}}}, status: {replicas: 2, readyReplicas: 1}}",
            REPLICAS, "['legacy', 2, 2, 1, '2d2h', 'app', 'nginx:1.25', 'app=legacy']"),
        Arguments.of("stateful set", "apps/v1/statefulsets", "{" + meta("db") + ", spec: {replicas: 3,"
            + " serviceName: 'db', selector: {matchLabels: {app: 'db'}}, template: {spec: {containers: [{name:"
            + " 'postgres', image: 'postgres:16'}]}}}, status: {replicas: 2, readyReplicas: 1}}",
            "Name(name), Ready, Age, Containers*, Images*", "['db', '1/3', '2d2h', 'postgres', 'postgres:16']"),
        Arguments.of("daemon set", "apps/v1/daemonsets", "{" + meta("node-exporter")
            + ", spec: {selector: {matchLabels: {app: 'node-exporter'}}, template: {spec: {nodeSelector:"
            + " {'kubernetes.io/os': 'linux'}, containers: [{name: 'exporter', image: 'prom/node-exporter:v1.8.0'}]}}},"
            + " status: {desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2,"
            + " updatedNumberScheduled: 3, numberAvailable: 2}}",
            "Name(name), Desired:integer, Current:integer, Ready:integer, Up-to-date:integer, Available:integer,"
                + " Node Selector, Age, Containers*, Images*, Selector*",
            "['node-exporter', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '2d2h', 'exporter',"
                + " 'prom/node-exporter:v1.8.0', 'app=node-exporter']"),
        Arguments.of("completed job", "batch/v1/jobs", "{" + meta("pi") + ", spec: {completions: 1, parallelism: 1,"
            + " selector: {matchLabels: {'batch.kubernetes.io/controller-uid': 'abc'}}, template: {spec: {containers:"
            + " [{name: 'pi', image: 'perl:5.34'}], restartPolicy: 'Never'}}}, status: {startTime:"
            + " '2024-05-01T11:00:00Z', completionTime: '2024-05-01T11:00:42Z', succeeded: 1, conditions: ["
            + "{type: 'SuccessCriteriaMet', status: 'True'}, {type: 'Complete', status: 'True'}]}}",
            JOB, "['pi', 'Complete', '1/1', '42s', '2d2h', 'pi', 'perl:5.34',"
                + " 'batch.kubernetes.io/controller-uid=abc']"),
        Arguments.of("running work-queue job", "batch/v1/jobs", "{" + meta("queue") + ", spec: {parallelism: 3,"
            + " template: {spec: {containers: [{name: 'worker', image: 'worker:1'}]}}},"
            + " status: {startTime: '2024-05-01T11:55:00Z', active: 3}}",
            JOB, "['queue', 'Running', '0/1 of 3', '5m', '2d2h', 'worker', 'worker:1', '<none>']"),
        Arguments.of("failed job", "batch/v1/jobs", "{" + meta("broken") + ", spec: {completions: 3,"
            + " template: {spec: {containers: [{name: 'c', image: 'i'}]}}}, status: {startTime:"
            + " '2024-05-01T09:00:00Z', failed: 6, succeeded: 1, conditions: [{type: 'FailureTarget', status: 'True'},"
            + " {type: 'Failed', status: 'True'}]}}",
            JOB, "['broken', 'Failed', '1/3', '3h', '2d2h', 'c', 'i', '<none>']"),
        Arguments.of("suspended job, not started", "batch/v1/jobs", "{" + meta("later") + ", spec: {completions: 1,"
            + " suspend: true, template: {spec: {containers: [{name: 'c', image: 'i'}]}}}, status: {conditions:"
            + " [{type: 'Suspended', status: 'True'}]}}",
            JOB, "['later', 'Suspended', '0/1', '', '2d2h', 'c', 'i', '<none>']"),
        Arguments.of("cron job", "batch/v1/cronjobs", "{" + meta("backup") + ", spec: {schedule: '0 3 * * *',"
            + " timeZone: 'Etc/UTC', suspend: false, jobTemplate: {spec: {template: {spec: {containers: [{name:"
            + " 'backup', image: 'restic:0.16'}]}}}}}, status: {active: [{kind: 'Job', name: 'backup-28574'}],"
            + " lastScheduleTime: '2024-05-01T03:00:00Z'}}",
            CRON_JOB, "['backup', '0 3 * * *', 'Etc/UTC', 'False', 1, '9h', '2d2h', 'backup', 'restic:0.16',"
                + " '<none>']"),
        Arguments.of("cron job never scheduled", "batch/v1/cronjobs", "{" + meta("nightly")
            + ", spec: {schedule: '@daily', jobTemplate: {spec: {selector: {matchLabels: {a: 'b'}}, template: {spec:"
            + " {containers: [{name: 'n', image: 'n:1'}]}}}}}}",
            CRON_JOB, "['nightly', '@daily', '<none>', '<unset>', 0, '<none>', '2d2h', 'n', 'n:1', 'a=b']"),
        Arguments.of("pod template", "/v1/podtemplates", "{" + meta("web-template") + ", template: {metadata:"
            + " {labels: {tier: 'fe', app: 'web'}}, spec: {containers: [{name: 'nginx', image: 'nginx:1.25'}]}}}",
            "Name(name), Containers, Images, Pod Labels", "['web-template', 'nginx', 'nginx:1.25', 'app=web,tier=fe']"),
        Arguments.of("controller revision", "apps/v1/controllerrevisions", "{metadata: {name: 'node-exporter-5d8f',"
            + " namespace: 'default', creationTimestamp: '2024-04-29T10:00:00Z', ownerReferences: [{apiVersion:"
            + " 'apps/v1', kind: 'DaemonSet', name: 'node-exporter', uid: 'u1', controller: true}]}, revision: 2,"
            + " data: {spec: {}}}",
            "Name(name), Controller, Revision, Age", "['node-exporter-5d8f', 'daemonset.apps/node-exporter', 2,"
                + " '2d2h']"),
        Arguments.of("controller revision without a controller", "apps/v1/controllerrevisions", "{"
            + meta("orphan") + ", revision: 1}",
            "Name(name), Controller, Revision, Age", "['orphan', '<none>', 1, '2d2h']"),
        Arguments.of("autoscaling/v2 HPA, more metrics than shown", "autoscaling/v2/horizontalpodautoscalers", "{"
            + meta("web") + ", spec: {scaleTargetRef: {apiVersion: 'apps/v1', kind: 'Deployment', name: 'web'},"
            + " minReplicas: 2, maxReplicas: 10, metrics: [{type: 'Resource', resource: {name: 'cpu', target:"
            + " {type: 'Utilization', averageUtilization: 80}}}, {type: 'Resource', resource: {name: 'memory',"
            + " target: {type: 'AverageValue', averageValue: '500Mi'}}}, {type: 'Pods', pods: {metric: {name:"
            + " 'rps'}, target: {type: 'AverageValue', averageValue: '100'}}}]}, status: {currentReplicas: 3,"
            + " desiredReplicas: 3, currentMetrics: [{type: 'Resource', resource: {name: 'cpu', current:"
            + " {averageUtilization: 40, averageValue: '200m'}}}, {type: 'Resource', resource: {name: 'memory',"
            + " current: {averageValue: '300Mi'}}}]}}",
            HPA, "['web', 'Deployment/web', 'cpu: 40%/80%, memory: 300Mi/500Mi + 1 more...', '2', 10, 3, '2d2h']"),
        Arguments.of("autoscaling/v2 HPA, object and external metrics without status",
            "autoscaling/v2/horizontalpodautoscalers", "{" + meta("queue") + ", spec: {scaleTargetRef: {kind:"
            + " 'Deployment', name: 'worker'}, maxReplicas: 4, metrics: [{type: 'Object', object: {describedObject:"
            + " {kind: 'Ingress', name: 'main'}, metric: {name: 'requests'}, target: {type: 'AverageValue',"
            + " averageValue: '10'}}}, {type: 'External', external: {metric: {name: 'queue'}, target: {type:"
            + " 'Value', value: '30'}}}]}}",
            HPA, "['queue', 'Deployment/worker', '<unknown>/10 (avg), <unknown>/30', '<unset>', 4, 0, '2d2h']"),
        Arguments.of("autoscaling/v2 HPA without metrics", "autoscaling/v2/horizontalpodautoscalers", "{"
            + meta("bare") + ", spec: {scaleTargetRef: {kind: 'StatefulSet', name: 'db'}, minReplicas: 1,"
            + " maxReplicas: 3}}",
            HPA, "['bare', 'StatefulSet/db', '<none>', '1', 3, 0, '2d2h']"),
        Arguments.of("autoscaling/v1 HPA prints from its v2 form", "autoscaling/v1/horizontalpodautoscalers",
            "{apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', " + meta("api") + ", spec:"
            + " {scaleTargetRef: {apiVersion: 'apps/v1', kind: 'Deployment', name: 'api'}, minReplicas: 1,"
            + " maxReplicas: 5, targetCPUUtilizationPercentage: 70}, status: {currentReplicas: 2,"
            + " desiredReplicas: 2, currentCPUUtilizationPercentage: 55}}",
            HPA, "['api', 'Deployment/api', 'cpu: 55%/70%', '1', 5, 2, '2d2h']"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void printsLikeUpstream(String description, String gvr, String object, String columns, String cells) {
    Tables.assertPrints(gvr, object, columns, cells);
  }
}
