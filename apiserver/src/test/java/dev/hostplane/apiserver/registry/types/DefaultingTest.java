package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Upstream's defaults, one row per defaulted field: strategy, input, JSON pointer, expected value (as JSON). */
class DefaultingTest {
  private static final String POD = "{metadata:{name:'p'},spec:{containers:[{name:'c',image:'nginx',"
      + "ports:[{containerPort:80}],resources:{limits:{cpu:'1',memory:'1Gi'}},"
      + "livenessProbe:{httpGet:{port:80}}}],volumes:[{name:'v'}]}}";
  private static final String DEPLOY = "{metadata:{name:'d'},spec:{selector:{matchLabels:{app:'a'}},"
      + "template:{metadata:{labels:{app:'a'}},spec:{containers:[{name:'c',image:'nginx:1.27'}]}}}}";
  private static final String SVC = "{metadata:{name:'s'},spec:{ports:[{name:'web',port:80},{name:'x',port:81,"
      + "targetPort:'http'}]}}";
  private static final String NODEPORT_SVC = "{metadata:{name:'s'},spec:{type:'NodePort',ports:[{port:80}]}}";
  private static final String JOB = "{metadata:{name:'j'},spec:{template:{metadata:{labels:{a:'b'}},"
      + "spec:{restartPolicy:'Never',containers:[{name:'c',image:'busybox'}]}}}}";
  private static final String CRONJOB = "{metadata:{name:'cj'},spec:{schedule:'*/5 * * * *',jobTemplate:{spec:{"
      + "template:{spec:{restartPolicy:'OnFailure',containers:[{name:'c',image:'busybox'}]}}}}}}";
  private static final String WEBHOOK = "{metadata:{name:'w'},webhooks:[{name:'a.b.c',sideEffects:'None',"
      + "admissionReviewVersions:['v1'],clientConfig:{service:{namespace:'ns',name:'svc'}},"
      + "rules:[{operations:['CREATE'],apiGroups:[''],apiVersions:['v1'],resources:['pods']}]}]}";
  private static final String HPA = "{metadata:{name:'h'},spec:{scaleTargetRef:{kind:'Deployment',name:'d'},"
      + "maxReplicas:5}}";

  static Stream<Arguments> rows() {
    Supplier<Strategy> pod = PodStrategy::new;
    Supplier<Strategy> deploy = DeploymentStrategy::new;
    Supplier<Strategy> svc = () -> new ServiceStrategy(new ServiceAddressAllocator("10.0.0.0/24"),
        new NodePortAllocator());
    Supplier<Strategy> job = JobStrategy::new;
    Supplier<Strategy> cron = CronJobStrategy::new;
    Supplier<Strategy> vwh = WebhookConfigurationStrategy::validating;
    Supplier<Strategy> mwh = WebhookConfigurationStrategy::mutating;
    Supplier<Strategy> hpa = HorizontalPodAutoscalerStrategy::new;
    return Stream.of(
        Arguments.of(pod, POD, "/spec/restartPolicy", "'Always'"),
        Arguments.of(pod, POD, "/spec/dnsPolicy", "'ClusterFirst'"),
        Arguments.of(pod, POD, "/spec/schedulerName", "'default-scheduler'"),
        Arguments.of(pod, POD, "/spec/terminationGracePeriodSeconds", "30"),
        Arguments.of(pod, POD, "/spec/securityContext", "{}"),
        Arguments.of(pod, POD, "/spec/enableServiceLinks", "true"),
        Arguments.of(pod, POD, "/spec/containers/0/imagePullPolicy", "'Always'"),
        Arguments.of(pod, POD, "/spec/containers/0/terminationMessagePath", "'/dev/termination-log'"),
        Arguments.of(pod, POD, "/spec/containers/0/terminationMessagePolicy", "'File'"),
        Arguments.of(pod, POD, "/spec/containers/0/ports/0/protocol", "'TCP'"),
        Arguments.of(pod, POD, "/spec/containers/0/resources/requests", "{cpu:'1',memory:'1Gi'}"),
        Arguments.of(pod, POD, "/spec/containers/0/livenessProbe",
            "{httpGet:{port:80,path:'/',scheme:'HTTP'},timeoutSeconds:1,periodSeconds:10,successThreshold:1,"
                + "failureThreshold:3}"),
        Arguments.of(pod, POD, "/spec/volumes/0/emptyDir", "{}"),
        Arguments.of(pod, POD, "/status", "{phase:'Pending',qosClass:'Guaranteed'}"),
        Arguments.of(deploy, DEPLOY, "/spec/replicas", "1"),
        Arguments.of(deploy, DEPLOY, "/spec/strategy",
            "{type:'RollingUpdate',rollingUpdate:{maxUnavailable:'25%',maxSurge:'25%'}}"),
        Arguments.of(deploy, DEPLOY, "/spec/revisionHistoryLimit", "10"),
        Arguments.of(deploy, DEPLOY, "/spec/progressDeadlineSeconds", "600"),
        Arguments.of(deploy, DEPLOY, "/spec/template/spec/containers/0/imagePullPolicy", "'IfNotPresent'"),
        Arguments.of(deploy, DEPLOY, "/spec/template/spec/restartPolicy", "'Always'"),
        Arguments.of(deploy, DEPLOY, "/status", "{}"),
        Arguments.of(svc, SVC, "/spec/type", "'ClusterIP'"),
        Arguments.of(svc, SVC, "/spec/sessionAffinity", "'None'"),
        Arguments.of(svc, SVC, "/spec/ports/0/protocol", "'TCP'"),
        Arguments.of(svc, SVC, "/spec/ports/0/targetPort", "80"),
        Arguments.of(svc, SVC, "/spec/ports/1/targetPort", "'http'"),
        Arguments.of(svc, SVC, "/spec/internalTrafficPolicy", "'Cluster'"),
        Arguments.of(svc, SVC, "/spec/ipFamilyPolicy", "'SingleStack'"),
        Arguments.of(svc, SVC, "/spec/ipFamilies", "['IPv4']"),
        Arguments.of(svc, SVC, "/spec/clusterIP", "'10.0.0.2'"),
        Arguments.of(svc, SVC, "/spec/clusterIPs", "['10.0.0.2']"),
        Arguments.of(svc, SVC, "/status", "{loadBalancer:{}}"),
        Arguments.of(svc, NODEPORT_SVC, "/spec/externalTrafficPolicy", "'Cluster'"),
        Arguments.of(svc, NODEPORT_SVC, "/spec/ports/0/nodePort", "30000"),
        Arguments.of(job, JOB, "/spec/parallelism", "1"),
        Arguments.of(job, JOB, "/spec/completions", "1"),
        Arguments.of(job, JOB, "/spec/backoffLimit", "6"),
        Arguments.of(job, JOB, "/spec/completionMode", "'NonIndexed'"),
        Arguments.of(job, JOB, "/spec/suspend", "false"),
        Arguments.of(job, JOB, "/spec/podReplacementPolicy", "'TerminatingOrFailed'"),
        Arguments.of(job, JOB, "/metadata/labels", "{a:'b'}"),
        Arguments.of(job, JOB, "/spec/selector", "{matchLabels:{'batch.kubernetes.io/controller-uid':'u-1'}}"),
        Arguments.of(job, JOB, "/spec/template/metadata/labels", "{a:'b','job-name':'j',"
            + "'batch.kubernetes.io/job-name':'j','controller-uid':'u-1','batch.kubernetes.io/controller-uid':'u-1'}"),
        Arguments.of(cron, CRONJOB, "/spec/concurrencyPolicy", "'Allow'"),
        Arguments.of(cron, CRONJOB, "/spec/suspend", "false"),
        Arguments.of(cron, CRONJOB, "/spec/successfulJobsHistoryLimit", "3"),
        Arguments.of(cron, CRONJOB, "/spec/failedJobsHistoryLimit", "1"),
        Arguments.of(cron, CRONJOB, "/spec/jobTemplate/spec/template/spec/dnsPolicy", "'ClusterFirst'"),
        Arguments.of(vwh, WEBHOOK, "/webhooks/0/failurePolicy", "'Fail'"),
        Arguments.of(vwh, WEBHOOK, "/webhooks/0/matchPolicy", "'Equivalent'"),
        Arguments.of(vwh, WEBHOOK, "/webhooks/0/namespaceSelector", "{}"),
        Arguments.of(vwh, WEBHOOK, "/webhooks/0/objectSelector", "{}"),
        Arguments.of(vwh, WEBHOOK, "/webhooks/0/timeoutSeconds", "10"),
        Arguments.of(vwh, WEBHOOK, "/webhooks/0/rules/0/scope", "'*'"),
        Arguments.of(vwh, WEBHOOK, "/webhooks/0/clientConfig/service/port", "443"),
        Arguments.of(mwh, WEBHOOK, "/webhooks/0/reinvocationPolicy", "'Never'"),
        Arguments.of(hpa, HPA, "/spec/minReplicas", "1"),
        Arguments.of(hpa, HPA, "/spec/metrics",
            "[{type:'Resource',resource:{name:'cpu',target:{type:'Utilization',averageUtilization:80}}}]"),
        Arguments.of(hpa, HPA, "/status", "{desiredReplicas:0}"));
  }

  @ParameterizedTest(name = "{1} {2}")
  @MethodSource("rows")
  void defaultsMatchUpstream(Supplier<Strategy> strategy, String input, String pointer, String expected) {
    ObjectNode obj = Trees.obj(input);
    ObjectMeta.meta(obj).put("uid", "u-1");
    Trees.create(strategy.get(), obj);
    JsonNode actual = obj.at(pointer);
    assertNotNull(actual);
    assertEquals(Trees.obj("{v:" + expected + "}").get("v"), actual, pointer + " in " + obj);
  }

  @ParameterizedTest(name = "{1} {2}")
  @MethodSource("rows")
  void defaultedObjectsAreValid(Supplier<Strategy> strategy, String input, String pointer, String expected) {
    ObjectNode obj = Trees.obj(input);
    ObjectMeta.meta(obj).put("uid", "u-1");
    assertEquals("", Trees.render(Trees.create(strategy.get(), obj)));
  }
}
