package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validation failures on create and update: one row per failure, with the field path, CauseType reason and the
 * message upstream prints (the full cause message when it comes from our own code).
 */
class ValidationTest {
  private static final String REQUIRED = "FieldValueRequired";
  private static final String INVALID = "FieldValueInvalid";
  private static final String NOT_SUPPORTED = "FieldValueNotSupported";
  private static final String FORBIDDEN = "FieldValueForbidden";
  private static final String DUPLICATE = "FieldValueDuplicate";

  private static final String C = "{name:'c',image:'nginx'}";
  private static final String DEPLOY = "{metadata:{name:'d'},spec:{selector:{matchLabels:{app:'a'}},"
      + "template:{metadata:{labels:{app:'a'}},spec:{containers:[" + C + "]}}}}";
  private static final String STS = "{metadata:{name:'s'},spec:{serviceName:'s',selector:{matchLabels:{app:'a'}},"
      + "template:{metadata:{labels:{app:'a'}},spec:{containers:[" + C + "]}}}}";
  private static final String SVC = "{metadata:{name:'s'},spec:{ports:[{port:80}]}}";
  private static final String ROLE_BINDING = "{metadata:{name:'rb',namespace:'ns'},roleRef:{kind:'Role',"
      + "name:'r'},subjects:[{kind:'User',name:'alice'}]}";
  private static final String WEBHOOK_FMT = "{metadata:{name:'w'},webhooks:[{name:'a.b.c',sideEffects:'None',"
      + "admissionReviewVersions:['v1'],clientConfig:{service:{namespace:'n',name:'s'}}%s}]}";
  private static final String CRD = "{metadata:{name:'widgets.example.com'},spec:{group:'example.com',"
      + "scope:'Namespaced',names:{plural:'widgets',kind:'Widget'},versions:[{name:'v1',served:true,storage:true,"
      + "schema:{openAPIV3Schema:{type:'object'}}}]}}";

  private static Supplier<Strategy> services() {
    return () -> new ServiceStrategy(new ServiceAddressAllocator("10.0.0.0/24"), new NodePortAllocator());
  }

  private static String pod(String spec) {
    return "{metadata:{name:'p',namespace:'ns'},spec:" + spec + "}";
  }

  private static String webhook(String extra) {
    return String.format(WEBHOOK_FMT, extra);
  }

  static Stream<Arguments> createRows() {
    Supplier<Strategy> pod = PodStrategy::new;
    Supplier<Strategy> deploy = DeploymentStrategy::new;
    Supplier<Strategy> cron = CronJobStrategy::new;
    Supplier<Strategy> cm = ConfigMapStrategy::new;
    Supplier<Strategy> secret = SecretStrategy::new;
    Supplier<Strategy> vwh = WebhookConfigurationStrategy::validating;
    Supplier<Strategy> crd = CustomResourceDefinitionStrategy::new;
    String cronFmt = "{metadata:{name:'cj'},spec:{schedule:'%s',jobTemplate:{spec:{template:{spec:{"
        + "restartPolicy:'Never',containers:[" + C + "]}}}}}}";
    return Stream.of(
        Arguments.of("pod without image", pod, pod("{containers:[{name:'c'}]}"), REQUIRED,
            "spec.containers[0].image", "Required value"),
        Arguments.of("pod without containers", pod, pod("{containers:[]}"), REQUIRED, "spec.containers",
            "Required value"),
        Arguments.of("container names unique across init", pod, pod("{containers:[" + C + "],initContainers:["
            + C + "]}"), DUPLICATE, "spec.initContainers[0].name", "Duplicate value: \"c\""),
        Arguments.of("container name a DNS label", pod, pod("{containers:[{name:'C_1',image:'x'}]}"), INVALID,
            "spec.containers[0].name", "Invalid value: \"C_1\": "),
        Arguments.of("restart policy", pod, pod("{restartPolicy:'Sometimes',containers:[" + C + "]}"),
            NOT_SUPPORTED, "spec.restartPolicy",
            "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
        Arguments.of("dns policy", pod, pod("{dnsPolicy:'Cluster',containers:[" + C + "]}"), NOT_SUPPORTED,
            "spec.dnsPolicy", "supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", "
                + "\"None\""),
        Arguments.of("quantity", pod, pod("{containers:[{name:'c',image:'x',resources:{limits:{cpu:'1 core'}}}]}"),
            INVALID, "spec.containers[0].resources.limits[cpu]", "Invalid value: \"1 core\": quantities must match"),
        Arguments.of("request above limit", pod, pod("{containers:[{name:'c',image:'x',resources:{limits:{"
            + "cpu:'500m'},requests:{cpu:'1'}}}]}"), INVALID, "spec.containers[0].resources.requests",
            "Invalid value: \"1\": must be less than or equal to cpu limit of 500m"),
        Arguments.of("container port range", pod, pod("{containers:[{name:'c',image:'x',ports:[{containerPort:"
            + "70000}]}]}"), INVALID, "spec.containers[0].ports[0].containerPort",
            "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        Arguments.of("mount of unknown volume", pod, pod("{containers:[{name:'c',image:'x',volumeMounts:[{name:"
            + "'v',mountPath:'/v'}]}]}"), "FieldValueNotFound", "spec.containers[0].volumeMounts[0].name",
            "Not found: \"v\""),
        Arguments.of("deployment selector mismatch", deploy, "{metadata:{name:'d'},spec:{selector:{matchLabels:{"
            + "app:'a'}},template:{metadata:{labels:{app:'b',tier:'web'}},spec:{containers:[" + C + "]}}}}",
            INVALID, "spec.template.metadata.labels", "Invalid value: map[string]string{\"app\":\"b\", "
                + "\"tier\":\"web\"}: `selector` does not match template `labels`"),
        Arguments.of("deployment without selector", deploy, "{metadata:{name:'d'},spec:{template:{spec:{"
            + "containers:[" + C + "]}}}}", REQUIRED, "spec.selector", "Required value"),
        Arguments.of("deployment empty selector", deploy, "{metadata:{name:'d'},spec:{selector:{},template:{spec:{"
            + "containers:[" + C + "]}}}}", INVALID, "spec.selector", "Invalid value: v1.LabelSelector{MatchLabels:"
                + "map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is "
                + "invalid for deployment"),
        Arguments.of("deployment pods restart Always", deploy, Trees.merged(Trees.obj(DEPLOY),
            "{spec:{template:{spec:{restartPolicy:'Never'}}}}").toString(), NOT_SUPPORTED,
            "spec.template.spec.restartPolicy", "Unsupported value: \"Never\": supported values: \"Always\""),
        Arguments.of("deployment maxUnavailable and maxSurge zero", deploy, Trees.merged(Trees.obj(DEPLOY),
            "{spec:{strategy:{rollingUpdate:{maxUnavailable:0,maxSurge:0}}}}").toString(), INVALID,
            "spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: 0: may not be 0 when `maxSurge` is 0"),
        Arguments.of("cron value out of range", cron, String.format(cronFmt, "61 * * * *"), INVALID,
            "spec.schedule", "Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"),
        Arguments.of("cron field count", cron, String.format(cronFmt, "* * *"), INVALID, "spec.schedule",
            "expected exactly 5 fields, found 3: * * *"),
        Arguments.of("cron descriptor", cron, String.format(cronFmt, "@fortnightly"), INVALID, "spec.schedule",
            "unrecognized descriptor: @fortnightly"),
        Arguments.of("cron TZ", cron, String.format(cronFmt, "TZ=UTC 0 * * * *"), INVALID, "spec.schedule",
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
        Arguments.of("cron job pods restart", cron, String.format(cronFmt, "@hourly").replace("Never", "Always"),
            NOT_SUPPORTED, "spec.jobTemplate.spec.template.spec.restartPolicy",
            "supported values: \"OnFailure\", \"Never\""),
        Arguments.of("configmap key", cm, "{metadata:{name:'c'},data:{'bad key':'v'}}", INVALID, "data[bad key]",
            "Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or "
                + "'.'"),
        Arguments.of("configmap key in both maps", cm, "{metadata:{name:'c'},data:{k:'v'},binaryData:{k:'dg=='}}",
            INVALID, "binaryData[k]", "duplicate of key present in data"),
        Arguments.of("secret base64", secret, "{metadata:{name:'s'},data:{k:'not base64!'}}", INVALID, "data[k]",
            "illegal base64 data"),
        Arguments.of("tls secret cert", secret, "{metadata:{name:'s'},type:'kubernetes.io/tls',data:{}}",
            REQUIRED, "data[tls.crt]", "Required value"),
        Arguments.of("tls secret key", secret, "{metadata:{name:'s'},type:'kubernetes.io/tls',"
            + "stringData:{'tls.crt':'x'}}", REQUIRED, "data[tls.key]", "Required value"),
        Arguments.of("service account token secret", secret, "{metadata:{name:'s'},"
            + "type:'kubernetes.io/service-account-token'}", REQUIRED,
            "metadata.annotations[kubernetes.io/service-account.name]", "Required value"),
        Arguments.of("service port names required", services(), "{metadata:{name:'s'},spec:{ports:[{name:'a',"
            + "port:80},{port:81}]}}", REQUIRED, "spec.ports[1].name", "Required value"),
        Arguments.of("service port names unique", services(), "{metadata:{name:'s'},spec:{ports:[{name:'http',"
            + "port:80},{name:'http',port:81}]}}", DUPLICATE, "spec.ports[1].name", "Duplicate value: \"http\""),
        Arguments.of("service port name a DNS label", services(), "{metadata:{name:'s'},spec:{ports:[{name:"
            + "'Http',port:80}]}}", INVALID, "spec.ports[0].name", "Invalid value: \"Http\": "),
        Arguments.of("service port range", services(), "{metadata:{name:'s'},spec:{ports:[{port:0}]}}", INVALID,
            "spec.ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        Arguments.of("service protocol", services(), "{metadata:{name:'s'},spec:{ports:[{port:80,protocol:"
            + "'HTTP'}]}}", NOT_SUPPORTED, "spec.ports[0].protocol",
            "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
        Arguments.of("service type", services(), "{metadata:{name:'s'},spec:{type:'Internal',ports:[{port:80}]}}",
            NOT_SUPPORTED, "spec.type", "supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", "
                + "\"NodePort\""),
        Arguments.of("external name", services(), "{metadata:{name:'s'},spec:{type:'ExternalName'}}", REQUIRED,
            "spec.externalName", "Required value"),
        Arguments.of("node port on ClusterIP", services(), "{metadata:{name:'s'},spec:{ports:[{port:80,"
            + "nodePort:30001}]}}", FORBIDDEN, "spec.ports[0].nodePort",
            "Forbidden: may not be used when `type` is 'ClusterIP'"),
        Arguments.of("job pods restart", (Supplier<Strategy>) JobStrategy::new, "{metadata:{name:'j',uid:'u'},"
            + "spec:{template:{spec:{containers:[" + C + "]}}}}", NOT_SUPPORTED,
            "spec.template.spec.restartPolicy",
            "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""),
        Arguments.of("job manual selector mismatch", (Supplier<Strategy>) JobStrategy::new,
            "{metadata:{name:'j',uid:'u'},spec:{manualSelector:true,selector:{matchLabels:{a:'b'}},template:{"
                + "spec:{restartPolicy:'Never',containers:[" + C + "]}}}}", INVALID,
            "spec.template.metadata.labels", "`selector` does not match template `labels`"),
        Arguments.of("role non-resource URLs", (Supplier<Strategy>) RoleStrategy::role,
            "{metadata:{name:'r'},rules:[{verbs:['get'],nonResourceURLs:['/healthz']}]}", INVALID,
            "rules[0].nonResourceURLs", "Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to "
                + "non-resource URLs"),
        Arguments.of("cluster role mixes URLs and resources", (Supplier<Strategy>) RoleStrategy::clusterRole,
            "{metadata:{name:'r'},rules:[{verbs:['get'],resources:['pods'],nonResourceURLs:['/x']}]}", INVALID,
            "rules[0].nonResourceURLs", "rules cannot apply to both regular resources and non-resource URLs"),
        Arguments.of("rule verbs", (Supplier<Strategy>) RoleStrategy::role,
            "{metadata:{name:'r'},rules:[{apiGroups:[''],resources:['pods']}]}", REQUIRED, "rules[0].verbs",
            "Required value: verbs must contain at least one value"),
        Arguments.of("rule api groups", (Supplier<Strategy>) RoleStrategy::role,
            "{metadata:{name:'r'},rules:[{verbs:['get'],resources:['pods']}]}", REQUIRED, "rules[0].apiGroups",
            "resource rules must supply at least one api group"),
        Arguments.of("role ref kind", (Supplier<Strategy>) RoleBindingStrategy::clusterRoleBinding,
            "{metadata:{name:'b'},roleRef:{kind:'Role',name:'r'},subjects:[]}", NOT_SUPPORTED, "roleRef.kind",
            "Unsupported value: \"Role\": supported values: \"ClusterRole\""),
        Arguments.of("cluster binding SA namespace", (Supplier<Strategy>) RoleBindingStrategy::clusterRoleBinding,
            "{metadata:{name:'b'},roleRef:{kind:'ClusterRole',name:'r'},subjects:[{kind:'ServiceAccount',"
                + "name:'sa'}]}", REQUIRED, "subjects[0].namespace", "Required value"),
        Arguments.of("webhook name segments", vwh, webhook("").replace("a.b.c", "a.b"), INVALID,
            "webhooks[0].name", "should be a domain with at least three segments separated by dots"),
        Arguments.of("webhook client config", vwh, webhook(",clientConfig:{url:'https://x',service:{namespace:'n',"
            + "name:'s'}}"), REQUIRED, "webhooks[0].clientConfig", "exactly one of url or service is required"),
        Arguments.of("webhook url scheme", vwh, webhook(",clientConfig:{url:'http://hook.example.com/x'}"),
            INVALID, "webhooks[0].clientConfig.url", "'https' is the only allowed URL scheme"),
        Arguments.of("webhook url query", vwh, webhook(",clientConfig:{url:'https://hook.example.com/x?a=b'}"),
            INVALID, "webhooks[0].clientConfig.url", "query parameters are not permitted in the URL"),
        Arguments.of("webhook side effects", vwh, webhook("").replace("sideEffects:'None',", ""), REQUIRED,
            "webhooks[0].sideEffects", "Required value: must specify one of None, NoneOnDryRun"),
        Arguments.of("webhook review versions", vwh, webhook("").replace("['v1']", "['v2']"), INVALID,
            "webhooks[0].admissionReviewVersions", "must include at least one of v1, v1beta1"),
        Arguments.of("webhook timeout", vwh, webhook(",timeoutSeconds:31"), INVALID, "webhooks[0].timeoutSeconds",
            "Invalid value: 31: the timeout value must be between 1 and 30 seconds"),
        Arguments.of("webhook names unique", vwh, "{metadata:{name:'w'},webhooks:[" + webhookHook() + ","
            + webhookHook() + "]}", DUPLICATE, "webhooks[1].name", "Duplicate value: \"a.b.c\""),
        Arguments.of("hpa min above max", (Supplier<Strategy>) HorizontalPodAutoscalerStrategy::new,
            "{metadata:{name:'h'},spec:{scaleTargetRef:{kind:'Deployment',name:'d'},minReplicas:5,maxReplicas:2}}",
            INVALID, "spec.maxReplicas", "Invalid value: 2: must be greater than or equal to `minReplicas`"),
        Arguments.of("hpa target kind", (Supplier<Strategy>) HorizontalPodAutoscalerStrategy::new,
            "{metadata:{name:'h'},spec:{scaleTargetRef:{name:'d'},maxReplicas:2}}", REQUIRED,
            "spec.scaleTargetRef.kind", "Required value"),
        Arguments.of("crd name", crd, CRD.replace("'widgets.example.com'", "'w.example.com'"), INVALID,
            "metadata.name", "must be spec.names.plural+\".\"+spec.group"),
        Arguments.of("crd group dot", crd, CRD.replace("example.com", "example"), INVALID, "spec.group",
            "should be a domain with at least one dot"),
        Arguments.of("crd storage versions", crd, CRD.replace("versions:[{", "versions:[{name:'v2',storage:true,"
            + "schema:{openAPIV3Schema:{type:'object'}}},{"), INVALID, "spec.versions",
            "must have exactly one version marked as storage version"),
        Arguments.of("crd schema", crd, CRD.replace(",schema:{openAPIV3Schema:{type:'object'}}", ""), REQUIRED,
            "spec.versions[0].schema.openAPIV3Schema", "schemas are required"),
        Arguments.of("ingress path type", (Supplier<Strategy>) IngressStrategy::new, ingress("{path:'/'}"),
            REQUIRED, "spec.rules[0].http.paths[0].pathType", "pathType must be specified"),
        Arguments.of("ingress absolute path", (Supplier<Strategy>) IngressStrategy::new,
            ingress("{path:'api',pathType:'Prefix'}"), INVALID, "spec.rules[0].http.paths[0].path",
            "Invalid value: \"api\": must be an absolute path"),
        Arguments.of("endpoint slice address", (Supplier<Strategy>) EndpointSliceStrategy::new,
            "{metadata:{name:'e'},addressType:'IPv4',endpoints:[{addresses:['10.0.0.256']}]}", INVALID,
            "endpoints[0].addresses[0]", "must be a valid IPv4 address"),
        Arguments.of("pdb both bounds", (Supplier<Strategy>) PodDisruptionBudgetStrategy::new,
            "{metadata:{name:'p'},spec:{minAvailable:1,maxUnavailable:1}}", INVALID, "spec",
            "minAvailable and maxUnavailable cannot be both set"),
        Arguments.of("system priority class names", (Supplier<Strategy>) PriorityClassStrategy::new,
            "{metadata:{name:'system-mine'},value:10}", FORBIDDEN, "metadata.name",
            "priority class names with 'system-' prefix are reserved for system use only"),
        Arguments.of("storage class provisioner", (Supplier<Strategy>) StorageClassStrategy::new,
            "{metadata:{name:'sc'}}", REQUIRED, "provisioner", "Required value"),
        Arguments.of("event namespace", (Supplier<Strategy>) EventStrategy::legacy,
            "{metadata:{name:'e',namespace:'a'},involvedObject:{kind:'Pod',namespace:'b',name:'p'}}", INVALID,
            "involvedObject.namespace", "Invalid value: \"b\": does not match event.namespace"),
        Arguments.of("pv capacity", (Supplier<Strategy>) PersistentVolumeStrategy::new,
            "{metadata:{name:'pv'},spec:{accessModes:['ReadWriteOnce'],hostPath:{path:'/x'}}}", REQUIRED,
            "spec.capacity", "Required value"),
        Arguments.of("pvc storage request", (Supplier<Strategy>) PersistentVolumeClaimStrategy::new,
            "{metadata:{name:'c'},spec:{accessModes:['ReadWriteOnce']}}", REQUIRED, "spec.resources[storage]",
            "Required value"),
        Arguments.of("csr request", (Supplier<Strategy>) CertificateSigningRequestStrategy::new,
            "{metadata:{name:'c'},spec:{request:'aGVsbG8=',signerName:'example.com/s',usages:['client auth']}}",
            INVALID, "spec.request", "PEM block type must be CERTIFICATE REQUEST"),
        Arguments.of("csr signer", (Supplier<Strategy>) CertificateSigningRequestStrategy::new,
            "{metadata:{name:'c'},spec:{request:'aGVsbG8=',signerName:'signer',usages:['client auth']}}",
            INVALID, "spec.signerName", "must be a fully qualified domain and path of the form "
                + "'example.com/signer-name'"),
        Arguments.of("statefulset policy", (Supplier<Strategy>) StatefulSetStrategy::new,
            Trees.merged(Trees.obj(STS), "{spec:{podManagementPolicy:'Random'}}").toString(), NOT_SUPPORTED,
            "spec.podManagementPolicy", "supported values: \"OrderedReady\", \"Parallel\""),
        Arguments.of("daemonset selector", (Supplier<Strategy>) DaemonSetStrategy::new,
            "{metadata:{name:'d'},spec:{selector:{matchLabels:{a:'b'}},template:{metadata:{labels:{a:'c'}},"
                + "spec:{containers:[" + C + "]}}}}", INVALID, "spec.template.metadata.labels",
            "`selector` does not match template `labels`"),
        Arguments.of("rc selector", (Supplier<Strategy>) ReplicationControllerStrategy::new,
            "{metadata:{name:'rc'},spec:{selector:{a:'b'},template:{metadata:{labels:{a:'c'}},spec:{containers:["
                + C + "]}}}}", INVALID, "spec.template.metadata.labels", "map[string]string{\"a\":\"c\"}"));
  }

  private static String webhookHook() {
    return "{name:'a.b.c',sideEffects:'None',admissionReviewVersions:['v1'],clientConfig:{url:'https://h'}}";
  }

  private static String ingress(String path) {
    return "{metadata:{name:'i'},spec:{rules:[{host:'example.com',http:{paths:[" + path.replace("}", "")
        + ",backend:{service:{name:'s',port:{number:80}}}}]}}]}}";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("createRows")
  void createIsRejected(String label, Supplier<Strategy> strategy, String json, String reason, String field,
      String message) {
    List<Status.Cause> causes = Trees.create(strategy.get(), Trees.obj(json));
    Trees.assertCause(causes, reason, field, message);
  }

  static Stream<Arguments> updateRows() {
    return Stream.of(
        Arguments.of("deployment selector", (Supplier<Strategy>) DeploymentStrategy::new, DEPLOY,
            "{spec:{selector:{matchLabels:{app:'b'}},template:{metadata:{labels:{app:'b'}}}}}", INVALID,
            "spec.selector", "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"b\"}, "
                + "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"),
        Arguments.of("replica set selector", (Supplier<Strategy>) ReplicaSetStrategy::new, DEPLOY,
            "{spec:{selector:{matchLabels:{app:'b'}},template:{metadata:{labels:{app:'b'}}}}}", INVALID,
            "spec.selector", "field is immutable"),
        Arguments.of("role ref", (Supplier<Strategy>) RoleBindingStrategy::roleBinding, ROLE_BINDING,
            "{roleRef:{name:'other'}}", INVALID, "roleRef", "Invalid value: rbac.RoleRef{APIGroup:"
                + "\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"other\"}: cannot change roleRef"),
        Arguments.of("pod spec", (Supplier<Strategy>) PodStrategy::new, pod("{containers:[" + C + "]}"),
            "{spec:{hostname:'h'}}", FORBIDDEN, "spec",
            "Forbidden: pod updates may not change fields other than `spec.containers[*].image`"),
        Arguments.of("pod containers", (Supplier<Strategy>) PodStrategy::new, pod("{containers:[" + C + "]}"),
            "{spec:{containers:[" + C + ",{name:'d',image:'x'}]}}", FORBIDDEN, "spec.containers",
            "pod updates may not add or remove containers"),
        Arguments.of("pod deadline", (Supplier<Strategy>) PodStrategy::new,
            pod("{activeDeadlineSeconds:10,containers:[" + C + "]}"), "{spec:{activeDeadlineSeconds:20}}", INVALID,
            "spec.activeDeadlineSeconds", "must be less than or equal to previous value"),
        Arguments.of("pod tolerations", (Supplier<Strategy>) PodStrategy::new,
            pod("{tolerations:[{key:'k',operator:'Exists'}],containers:[" + C + "]}"),
            "{spec:{tolerations:[{key:'j',operator:'Exists'}]}}", FORBIDDEN, "spec.tolerations",
            "existing toleration can not be modified except its tolerationSeconds"),
        Arguments.of("service cluster IP", services(), SVC, "{spec:{clusterIP:'10.0.0.9',clusterIPs:['10.0.0.9']}}",
            INVALID, "spec.clusterIPs[0]", "Invalid value: [\"10.0.0.9\"]: may not change once set"),
        Arguments.of("configmap immutable", (Supplier<Strategy>) ConfigMapStrategy::new,
            "{metadata:{name:'c'},immutable:true,data:{a:'b'}}", "{data:{a:'c'}}", FORBIDDEN, "data",
            "Forbidden: field is immutable when `immutable` is set"),
        Arguments.of("configmap stays immutable", (Supplier<Strategy>) ConfigMapStrategy::new,
            "{metadata:{name:'c'},immutable:true,data:{a:'b'}}", "{immutable:false}", FORBIDDEN, "immutable",
            "field is immutable when `immutable` is set"),
        Arguments.of("secret type", (Supplier<Strategy>) SecretStrategy::new, "{metadata:{name:'s'}}",
            "{type:'example.com/x'}", INVALID, "type", "Invalid value: \"example.com/x\": field is immutable"),
        Arguments.of("statefulset spec", (Supplier<Strategy>) StatefulSetStrategy::new, STS,
            "{spec:{serviceName:'other'}}", FORBIDDEN, "spec", "Forbidden: " + StatefulSetStrategy.UPDATE_FORBIDDEN),
        Arguments.of("job template", (Supplier<Strategy>) JobStrategy::new, "{metadata:{name:'j',uid:'u'},"
            + "spec:{template:{spec:{restartPolicy:'Never',containers:[" + C + "]}}}}",
            "{spec:{template:{spec:{containers:[{name:'c',image:'other'}]}}}}", INVALID, "spec.template",
            "field is immutable"),
        Arguments.of("job completions", (Supplier<Strategy>) JobStrategy::new, "{metadata:{name:'j',uid:'u'},"
            + "spec:{template:{spec:{restartPolicy:'Never',containers:[" + C + "]}}}}", "{spec:{completions:3}}",
            INVALID, "spec.completions", "Invalid value: 3: field is immutable"),
        Arguments.of("pvc spec", (Supplier<Strategy>) PersistentVolumeClaimStrategy::new,
            "{metadata:{name:'c'},spec:{accessModes:['ReadWriteOnce'],resources:{requests:{storage:'1Gi'}}}}",
            "{spec:{accessModes:['ReadWriteMany']}}", FORBIDDEN, "spec", PersistentVolumeClaimStrategy.SPEC_IMMUTABLE),
        Arguments.of("ingress class controller", (Supplier<Strategy>) IngressClassStrategy::new,
            "{metadata:{name:'i'},spec:{controller:'example.com/a'}}", "{spec:{controller:'example.com/b'}}",
            INVALID, "spec.controller", "field is immutable"),
        Arguments.of("storage class parameters", (Supplier<Strategy>) StorageClassStrategy::new,
            "{metadata:{name:'sc'},provisioner:'example.com/x',parameters:{a:'b'}}", "{parameters:{a:'c'}}",
            FORBIDDEN, "parameters", "Forbidden: updates to parameters are forbidden."),
        Arguments.of("endpoint slice address type", (Supplier<Strategy>) EndpointSliceStrategy::new,
            "{metadata:{name:'e'},addressType:'IPv4',endpoints:[]}", "{addressType:'IPv6'}", INVALID,
            "addressType", "Invalid value: \"IPv6\": field is immutable"),
        Arguments.of("priority value", (Supplier<Strategy>) PriorityClassStrategy::new,
            "{metadata:{name:'high'},value:1000}", "{value:2000}", FORBIDDEN, "value",
            "may not be changed in an update."),
        Arguments.of("runtime class handler", (Supplier<Strategy>) RuntimeClassStrategy::new,
            "{metadata:{name:'r'},handler:'runc'}", "{handler:'kata'}", INVALID, "handler", "field is immutable"),
        Arguments.of("controller revision data", (Supplier<Strategy>) ControllerRevisionStrategy::new,
            "{metadata:{name:'r'},revision:1,data:{a:1}}", "{data:{a:2}}", INVALID, "data", "field is immutable"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("updateRows")
  void updateIsRejected(String label, Supplier<Strategy> strategy, String oldJson, String patch, String reason,
      String field, String message) {
    Strategy s = strategy.get();
    ObjectNode old = Trees.obj(oldJson);
    ObjectMeta.meta(old).put("uid", "u");
    Trees.create(s, old);
    ObjectNode updated = Trees.merged(old, patch);
    Trees.assertCause(Trees.update(s, updated, old), reason, field, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("updateRows")
  void unchangedUpdateIsAccepted(String label, Supplier<Strategy> strategy, String oldJson, String patch,
      String reason, String field, String message) {
    Strategy s = strategy.get();
    ObjectNode old = Trees.obj(oldJson);
    ObjectMeta.meta(old).put("uid", "u");
    assertEquals("", Trees.render(Trees.create(s, old)), "the stored object is valid");
    assertEquals("", Trees.render(Trees.update(s, old.deepCopy(), old)));
  }
}
