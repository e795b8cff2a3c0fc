package dev.hostplane.apiserver.printers;

import static dev.hostplane.apiserver.printers.Tables.meta;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Columns and cells of the storage resources, RBAC, admission webhook configurations, CertificateSigningRequests
 * and the resources upstream prints with its default table (Roles, ClusterRoles, CRDs).
 */
class StorageAccessTablesTest {
  private static final String PV = "Name(name), Capacity, Access Modes, Reclaim Policy, Status, Claim,"
      + " StorageClass, VolumeAttributesClass, Reason, Age, VolumeMode*";
  private static final String PVC = "Name(name), Status, Volume, Capacity, Access Modes, StorageClass,"
      + " VolumeAttributesClass, Age, VolumeMode*";
  private static final String STORAGE_CLASS = "Name(name), Provisioner, ReclaimPolicy, VolumeBindingMode,"
      + " AllowVolumeExpansion, Age";
  private static final String CSI_DRIVER = "Name(name), AttachRequired:boolean, PodInfoOnMount:boolean,"
      + " StorageCapacity:boolean, TokenRequests, RequiresRepublish:boolean, Modes, Age";
  private static final String BINDING = "Name(name), Role, Age, Users*, Groups*, ServiceAccounts*";
  private static final String CSR = "Name(name), Age, SignerName, Requestor, RequestedDuration, Condition";
  private static final String DEFAULT = "Name(name), Created At:date";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("bound persistent volume", "/v1/persistentvolumes", "{" + meta("pv-0001") + ", spec: {capacity:"
            + " {storage: '10Gi'}, accessModes: ['ReadOnlyMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy:"
            + " 'Retain', storageClassName: 'standard', volumeMode: 'Filesystem', claimRef: {kind:"
            + " 'PersistentVolumeClaim', namespace: 'default', name: 'data-db-0'}, hostPath: {path: '/data'}},"
            + " status: {phase: 'Bound'}}",
            PV, "['pv-0001', '10Gi', 'RWO,ROX', 'Retain', 'Bound', 'default/data-db-0', 'standard', '<unset>', '',"
                + " '2d2h', 'Filesystem']"),
        Arguments.of("persistent volume being deleted, beta class annotation", "/v1/persistentvolumes", "{metadata:"
            + " {name: 'pv-old', creationTimestamp: '2024-04-29T10:00:00Z', deletionTimestamp: '2024-05-01T11:00:00Z',"
            + " annotations: {'volume.beta.kubernetes.io/storage-class': 'slow'}}, spec: {capacity: {storage:"
            + " '1536Mi'}, accessModes: ['ReadWriteOncePod'], persistentVolumeReclaimPolicy: 'Delete',"
            + " storageClassName: 'fast', volumeAttributesClassName: 'gold'}, status: {phase: 'Failed', reason:"
            + " 'VolumeFailedDelete'}}",
            PV, "['pv-old', '1536Mi', 'RWOP', 'Delete', 'Terminating', '', 'slow', 'gold', 'VolumeFailedDelete',"
                + " '2d2h', '<unset>']"),
        Arguments.of("bound claim", "/v1/persistentvolumeclaims", "{" + meta("data-db-0") + ", spec: {accessModes:"
            + " ['ReadWriteOnce'], resources: {requests: {storage: '5Gi'}}, storageClassName: 'standard', volumeName:"
            + " 'pv-0001', volumeMode: 'Filesystem'}, status: {phase: 'Bound', accessModes: ['ReadWriteOnce'],"
            + " capacity: {storage: '10Gi'}}}",
            PVC, "['data-db-0', 'Bound', 'pv-0001', '10Gi', 'RWO', 'standard', '<unset>', '2d2h', 'Filesystem']"),
        Arguments.of("pending claim", "/v1/persistentvolumeclaims", "{" + meta("data-db-1") + ", spec: {accessModes:"
            + " ['ReadWriteOnce'], resources: {requests: {storage: '5Gi'}}, storageClassName: 'standard', volumeMode:"
            + " 'Filesystem'}, status: {phase: 'Pending'}}",
            PVC, "['data-db-1', 'Pending', '', '', '', 'standard', '<unset>', '2d2h', 'Filesystem']"),
        Arguments.of("default storage class", "storage.k8s.io/v1/storageclasses", "{metadata: {name: 'standard',"
            + " creationTimestamp: '2024-04-29T10:00:00Z', annotations: {'storageclass.kubernetes.io/is-default-class':"
            + " 'true'}}, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode:"
            + " 'WaitForFirstConsumer'}",
            STORAGE_CLASS, "['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false,"
                + " '2d2h']"),
        Arguments.of("storage class with defaults left unset", "storage.k8s.io/v1/storageclasses", "{" + meta("ssd")
            + ", provisioner: 'ebs.csi.aws.com', allowVolumeExpansion: true, parameters: {type: 'gp3'}}",
            STORAGE_CLASS, "['ssd', 'ebs.csi.aws.com', 'Delete', 'Immediate', true, '2d2h']"),
        Arguments.of("CSI driver", "storage.k8s.io/v1/csidrivers", "{" + meta("ebs.csi.aws.com") + ", spec:"
            + " {attachRequired: true, podInfoOnMount: false, volumeLifecycleModes: ['Persistent', 'Ephemeral'],"
            + " storageCapacity: false, requiresRepublish: false, fsGroupPolicy: 'ReadWriteOnceWithFSType',"
            + " tokenRequests: [{audience: 'sts.amazonaws.com'}, {audience: 'vault', expirationSeconds: 3600}]}}",
            CSI_DRIVER, "['ebs.csi.aws.com', true, false, false, 'sts.amazonaws.com,vault', false,"
                + " 'Persistent,Ephemeral', '2d2h']"),
        Arguments.of("CSI driver with nothing set", "storage.k8s.io/v1/csidrivers", "{" + meta("bare") + ", spec: {}}",
            CSI_DRIVER, "['bare', true, false, false, '<unset>', false, '<none>', '2d2h']"),
        Arguments.of("CSI node", "storage.k8s.io/v1/csinodes", "{" + meta("node-1") + ", spec: {drivers: [{name:"
            + " 'ebs.csi.aws.com', nodeID: 'i-0123', topologyKeys: ['topology.ebs.csi.aws.com/zone']}]}}",
            "Name(name), Drivers:integer, Age", "['node-1', 1, '2d2h']"),
        Arguments.of("volume attachment", "storage.k8s.io/v1/volumeattachments", "{" + meta("csi-abc") + ", spec:"
            + " {attacher: 'ebs.csi.aws.com', source: {persistentVolumeName: 'pv-0001'}, nodeName: 'node-1'},"
            + " status: {attached: true, attachmentMetadata: {devicePath: '/dev/xvdba'}}}",
            "Name(name), Attacher(name), PV, Node, Attached:boolean, Age",
            "['csi-abc', 'ebs.csi.aws.com', 'pv-0001', 'node-1', true, '2d2h']"),
        Arguments.of("role gets the default table", "rbac.authorization.k8s.io/v1/roles", "{" + meta("pod-reader")
            + ", rules: [{apiGroups: [''], resources: ['pods'], verbs: ['get', 'list']}]}",
            DEFAULT, "['pod-reader', '2024-04-29T10:00:00Z']"),
        Arguments.of("cluster role gets the default table", "rbac.authorization.k8s.io/v1/clusterroles", "{metadata:"
            + " {name: 'view', creationTimestamp: '2024-04-29T12:00:00.5+02:00'}, rules: []}",
            DEFAULT, "['view', '2024-04-29T10:00:00Z']"),
        Arguments.of("role binding", "rbac.authorization.k8s.io/v1/rolebindings", "{" + meta("read-pods")
            + ", roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader'}, subjects:"
            + " [{kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane'}, {kind: 'Group', name: 'devs'},"
            + " {kind: 'ServiceAccount', name: 'ci', namespace: 'build'}, {kind: 'User', name: 'joe'}]}",
            BINDING, "['read-pods', 'Role/pod-reader', '2d2h', 'jane, joe', 'devs', 'build/ci']"),
        Arguments.of("cluster role binding", "rbac.authorization.k8s.io/v1/clusterrolebindings", "{metadata: {name:"
            + " 'cluster-admin', creationTimestamp: '2024-04-29T10:00:00Z'}, roleRef: {apiGroup:"
            + " 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin'}, subjects: [{kind: 'Group',"
            + " apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters'}]}",
            BINDING, "['cluster-admin', 'ClusterRole/cluster-admin', '2d2h', '', 'system:masters', '']"),
        Arguments.of("validating webhook configuration",
            "admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
            "{" + meta("policy") + ", webhooks: [{name: 'a.example.com', admissionReviewVersions: ['v1'],"
            + " sideEffects: 'None', clientConfig: {url: 'https://a.example.com'}}, {name: 'b.example.com'}]}",
            "Name(name), Webhooks:integer, Age", "['policy', 2, '2d2h']"),
        Arguments.of("mutating webhook configuration without webhooks",
            "admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", "{" + meta("empty") + "}",
            "Name(name), Webhooks:integer, Age", "['empty', 0, '2d2h']"),
        Arguments.of("custom resource definition gets the default table",
            "apiextensions.k8s.io/v1/customresourcedefinitions", "{metadata: {name: 'widgets.example.com',"
            + " creationTimestamp: '2024-04-29T10:00:00Z'}, spec: {group: 'example.com'}}",
            DEFAULT, "['widgets.example.com', '2024-04-29T10:00:00Z']"),
        Arguments.of("approved and issued CSR", "certificates.k8s.io/v1/certificatesigningrequests", "{"
            + meta("jane-csr") + ", spec: {request: 'LS0t', signerName: 'kubernetes.io/kube-apiserver-client',"
            + " username: 'jane', expirationSeconds: 86400, usages: ['client auth']}, status: {conditions: [{type:"
            + " 'Approved', status: 'True', reason: 'AdminApproved'}], certificate: 'LS0tLS1CRUdJTg=='}}",
            CSR, "['jane-csr', '2d2h', 'kubernetes.io/kube-apiserver-client', 'jane', '24h', 'Approved,Issued']"),
        Arguments.of("pending CSR", "certificates.k8s.io/v1/certificatesigningrequests", "{" + meta("node-csr")
            + ", spec: {request: 'LS0t', signerName: 'kubernetes.io/kubelet-serving', username: 'system:node:n1'}}",
            CSR, "['node-csr', '2d2h', 'kubernetes.io/kubelet-serving', 'system:node:n1', '<none>', 'Pending']"),
        Arguments.of("denied and failed CSR", "certificates.k8s.io/v1/certificatesigningrequests", "{"
            + meta("bad-csr") + ", spec: {request: 'LS0t', signerName: 'example.com/signer', username: 'eve',"
            + " expirationSeconds: 600}, status: {conditions: [{type: 'Approved', status: 'True'}, {type: 'Denied',"
            + " status: 'True'}, {type: 'Failed', status: 'True'}]}}",
            CSR, "['bad-csr', '2d2h', 'example.com/signer', 'eve', '10m', 'Denied,Failed']"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void printsLikeUpstream(String description, String gvr, String object, String columns, String cells) {
    Tables.assertPrints(gvr, object, columns, cells);
  }
}
