#!/usr/bin/env bash
# Deploys rms-signup into one resource group: infrastructure (infra/main.bicep), the code package
# (npm run package -> rms-signup.zip) and a smoke check of /api/health. Safe to run again: every step is
# idempotent, and the CODE_HMAC_SECRET in Key Vault is kept unless --rotate-hmac-secret is given.
# Run from anywhere; paths are relative to the repository. See docs/DEPLOY.md.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly TEMPLATE="${REPO_ROOT}/infra/main.bicep"
readonly ZIP="${REPO_ROOT}/rms-signup.zip"
readonly HMAC_SECRET_NAME="code-hmac-secret"

resource_group=""
location=""
environment_name="prod"
parameters_file=""
subscription=""
deployment_name="rms-signup"
what_if=false
assume_yes=false
skip_infra=false
skip_package=false
skip_code=false
skip_smoke=false
skip_graph=false
rotate_secret=false
smoke_attempts=20
extra_parameters=()

usage() {
  cat <<'EOF'
Usage: infra/deploy.sh -g <resource-group> [-l <region>] [options]

Creates or updates everything rms-signup needs in one resource group, deploys the code and checks that
https://<app>/api/health answers. Needs a current Azure CLI (Flex Consumption support, `az bicep`),
Node.js 20+ and npm, and `az login` as a user or service principal with:
  - Owner (or Contributor + User Access Administrator) on the resource group or subscription: the template
    creates role assignments and, by default, one custom role (ACS email sender);
  - in Microsoft Entra ID, Privileged Role Administrator to grant the Graph app roles (or use --skip-graph
    and docs/DEPLOY.md "Granting Graph permissions without the extension"), and Groups Administrator when
    the template creates a partner group (createPartnerGroup=true).

Required:
  -g, --resource-group NAME   Resource group to deploy into. Created when it does not exist.

Options:
  -l, --location REGION       Region for a new resource group (must offer Flex Consumption; list them with
                              `az functionapp list-flexconsumption-locations`). Ignored when the group
                              exists: its region is used.
  -e, --environment NAME      Environment name (2-12 letters, digits, hyphens), part of every resource name
                              and the `azd-env-name` tag. Default: prod.
  -p, --parameters-file FILE  JSON parameters file for infra/main.bicep (start from
                              infra/operator.parameters.json: branding, domains, partner groups, email domain,
                              alert address ...). Values given with --set win over the file.
      --set NAME=VALUE        One more template parameter, e.g. --set createPartnerGroup=true. Repeatable.
  -s, --subscription ID       Subscription to use. Default: the current `az account` subscription.
  -n, --deployment-name NAME  Name of the ARM deployment (its outputs are read back). Default: rms-signup.
      --what-if               Preview the infrastructure changes first and ask before applying them.
                              (Microsoft Graph resources are not previewed: ARM what-if skips extensions.)
  -y, --yes                   Do not ask for confirmation after --what-if.
      --skip-graph            Do not grant the Microsoft Graph app roles from the template
                              (grantGraphPermissions=false); grant them with az rest instead.
      --rotate-hmac-secret    Write a new random CODE_HMAC_SECRET. Pending codes stop working and keyed
                              address hashes (rate limits) restart. Default: keep the existing secret.
      --skip-infra            Do not deploy infra/main.bicep; read the outputs of the last deployment.
      --skip-package          Do not run `npm run package`; deploy the existing rms-signup.zip.
      --skip-code             Do not deploy the zip (infrastructure only).
      --skip-smoke            Do not call /api/health afterwards.
      --smoke-attempts N      Health check attempts, 15 s apart. Default: 20.
  -h, --help                  Show this help.

Examples:
  infra/deploy.sh -g rg-rms-signup -l westeurope -p infra/my.parameters.json --what-if
  infra/deploy.sh -g rg-rms-signup --skip-infra            # code only
  infra/deploy.sh -g rg-rms-signup --set customEmailDomainVerified=true
EOF
}

log() { printf '\n==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# version_ge A B: true when dotted version A >= B (no `sort -V`, which older BSD sort lacks).
version_ge() {
  local IFS=.
  local -a a b
  read -r -a a <<<"$1"
  read -r -a b <<<"$2"
  local i
  for ((i = 0; i < 3; i++)); do
    local x="${a[i]:-0}" y="${b[i]:-0}"
    x="${x%%[!0-9]*}" y="${y%%[!0-9]*}"
    ((10#${x:-0} > 10#${y:-0})) && return 0
    ((10#${x:-0} < 10#${y:-0})) && return 1
  done
  return 0
}

need_value() {
  [[ $# -ge 2 && -n "$2" && "$2" != -* ]] || die "$1 needs a value (see --help)"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -g | --resource-group) need_value "$@"; resource_group="$2"; shift 2 ;;
    -l | --location) need_value "$@"; location="$2"; shift 2 ;;
    -e | --environment) need_value "$@"; environment_name="$2"; shift 2 ;;
    -p | --parameters-file) need_value "$@"; parameters_file="$2"; shift 2 ;;
    --set) need_value "$@"; extra_parameters+=("$2"); shift 2 ;;
    -s | --subscription) need_value "$@"; subscription="$2"; shift 2 ;;
    -n | --deployment-name) need_value "$@"; deployment_name="$2"; shift 2 ;;
    --what-if) what_if=true; shift ;;
    -y | --yes) assume_yes=true; shift ;;
    --skip-graph) skip_graph=true; shift ;;
    --rotate-hmac-secret) rotate_secret=true; shift ;;
    --skip-infra) skip_infra=true; shift ;;
    --skip-package) skip_package=true; shift ;;
    --skip-code) skip_code=true; shift ;;
    --skip-smoke) skip_smoke=true; shift ;;
    --smoke-attempts) need_value "$@"; smoke_attempts="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[[ -n "$resource_group" ]] || { usage >&2; die "--resource-group is required"; }
[[ "$environment_name" =~ ^[A-Za-z0-9-]{2,12}$ ]] || die "--environment must be 2-12 letters, digits or hyphens"
[[ "$smoke_attempts" =~ ^[0-9]+$ ]] || die "--smoke-attempts must be a number"
if [[ -n "$parameters_file" ]]; then
  [[ -f "$parameters_file" ]] || die "parameters file not found: $parameters_file"
  parameters_file="$(cd "$(dirname "$parameters_file")" && pwd)/$(basename "$parameters_file")"
  [[ "$parameters_file" == *.json ]] || die "--parameters-file must be a JSON parameters file"
fi
# ${arr[@]+"${arr[@]}"} keeps `set -u` happy with an empty array on bash 3.2 (macOS).
for p in ${extra_parameters[@]+"${extra_parameters[@]}"}; do
  [[ "$p" == *=* ]] || die "--set expects NAME=VALUE, got: $p"
done

# ------------------------------------------------------------------------------------------ tools

command -v az >/dev/null 2>&1 || die "Azure CLI (az) not found: https://learn.microsoft.com/cli/azure/install-azure-cli"
az_version="$(az version --query '"azure-cli"' -o tsv 2>/dev/null || echo 0)"
# Flex Consumption zip deployment (OneDeploy) and `az bicep` with extensions need a recent CLI.
if ! version_ge "$az_version" "2.60.0"; then
  die "Azure CLI $az_version is too old for Flex Consumption; install 2.60.0 or later (az upgrade)"
fi
if [[ "$skip_infra" == false ]]; then
  # az keeps an older Bicep it installed earlier; the Microsoft Graph extension needs Bicep 0.36.1 or later.
  bicep_version="$(az bicep version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true)"
  if ! version_ge "${bicep_version:-0}" "0.36.1"; then
    log "Bicep ${bicep_version:-(none)} is older than 0.36.1 (Microsoft Graph extension): upgrading"
    az bicep upgrade >/dev/null 2>&1 || az bicep install >/dev/null
    bicep_version="$(az bicep version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true)"
    version_ge "${bicep_version:-0}" "0.36.1" || die "Bicep 0.36.1 or later is needed, found ${bicep_version:-none}"
  fi
fi
if [[ "$skip_package" == false ]]; then
  command -v node >/dev/null 2>&1 || die "Node.js 20+ is needed to build the package (or use --skip-package)"
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [[ "$node_major" -ge 20 ]] || die "Node.js 20+ is needed, found $(node --version)"
fi
if [[ "$skip_smoke" == false ]]; then
  command -v curl >/dev/null 2>&1 || die "curl not found (or use --skip-smoke)"
fi

az account show >/dev/null 2>&1 || die "not logged in: run az login"
if [[ -n "$subscription" ]]; then
  az account set --subscription "$subscription"
fi
log "Subscription: $(az account show --query '[name, id]' -o tsv | paste -sd ' ' -)"

# ------------------------------------------------------------------------------------------ infrastructure

# Empty (not an abort under set -e) when the deployment or output is missing; callers check.
deployment_output() {
  az deployment group show -g "$resource_group" -n "$deployment_name" --query "properties.outputs.$1.value" -o tsv 2>/dev/null || true
}

# The ARM error of the failed operations of the last deployment: the retry below cannot fix a template error.
print_deployment_errors() {
  az deployment operation group list -g "$resource_group" -n "$deployment_name" \
    --query "[?properties.provisioningState=='Failed'].[properties.targetResource.resourceName, properties.statusMessage.error.code, properties.statusMessage.error.message]" \
    -o tsv 2>/dev/null | while IFS=$'\t' read -r resource code message; do
    printf '  %s: %s: %s\n' "${resource:-?}" "${code:-?}" "${message:-?}" >&2
  done || true
}

if [[ "$skip_infra" == false ]]; then
  if [[ "$(az group exists -n "$resource_group")" == "true" ]]; then
    group_location="$(az group show -n "$resource_group" --query location -o tsv)"
    [[ -z "$location" || "$location" == "$group_location" ]] ||
      warn "resource group $resource_group is in $group_location; ignoring --location $location"
    log "Resource group $resource_group exists ($group_location)"
  else
    [[ -n "$location" ]] || die "resource group $resource_group does not exist: give --location to create it"
    log "Creating resource group $resource_group in $location"
    az group create -n "$resource_group" -l "$location" --tags "azd-env-name=$environment_name" -o none
  fi

  # Keep the HMAC key unless asked to rotate: rewriting it would invalidate every pending code.
  create_secret=true
  vault_id="$(az resource list -g "$resource_group" --resource-type Microsoft.KeyVault/vaults \
    --query "[?tags.\"azd-env-name\"=='$environment_name'].id | [0]" -o tsv 2>/dev/null || true)"
  if [[ -n "$vault_id" ]] && az resource show --ids "$vault_id/secrets/$HMAC_SECRET_NAME" -o none 2>/dev/null; then
    create_secret=false
  fi
  if [[ "$rotate_secret" == true ]]; then
    create_secret=true
    warn "--rotate-hmac-secret: pending codes stop working and rate-limit keys restart"
  fi
  log "CODE_HMAC_SECRET: $([[ "$create_secret" == true ]] && echo "will be written" || echo "kept (already in Key Vault)")"

  parameters=()
  [[ -n "$parameters_file" ]] && parameters+=(--parameters "@$parameters_file")
  parameters+=(--parameters "environmentName=$environment_name" "createCodeHmacSecret=$create_secret")
  [[ "$skip_graph" == true ]] && parameters+=(--parameters "grantGraphPermissions=false")
  for p in ${extra_parameters[@]+"${extra_parameters[@]}"}; do parameters+=(--parameters "$p"); done

  if [[ "$what_if" == true ]]; then
    # ARM what-if does not support extension (Microsoft Graph) resources, so the Graph module is left out
    # of the preview; settings that depend on it (PARTNER_GROUP_IDS) may show as changed.
    log "What-if (Azure resources only; Graph app roles and groups are not previewed)"
    az deployment group what-if -g "$resource_group" -n "$deployment_name" -f "$TEMPLATE" "${parameters[@]}" \
      --parameters "grantGraphPermissions=false" "createPartnerGroup=false"
    if [[ "$assume_yes" == false ]]; then
      # Without a terminal (CI) read fails; answer stays empty and we stop instead of tripping set -u.
      read -r -p "Apply these changes? [y/N] " answer || answer=
      [[ "$answer" =~ ^[Yy] ]] || die "stopped before deploying"
    fi
  fi

  log "Deploying infra/main.bicep as $deployment_name"
  # One retry: a new managed identity can take a minute to replicate to Entra ID and ARM role checks.
  if ! az deployment group create -g "$resource_group" -n "$deployment_name" -f "$TEMPLATE" "${parameters[@]}" -o none; then
    warn "deployment failed with:"
    print_deployment_errors
    warn "retrying once in 60 s (helps only with identity replication; the errors above otherwise need a fix)"
    sleep 60
    az deployment group create -g "$resource_group" -n "$deployment_name" -f "$TEMPLATE" "${parameters[@]}" -o none
  fi
fi

app_name="$(deployment_output functionAppName)"
host_name="$(deployment_output functionAppHostName)"
landing_url="$(deployment_output landingPageUrl)"
[[ -n "$app_name" && -n "$host_name" ]] || die "deployment $deployment_name in $resource_group has no outputs; deploy the infrastructure first"

# ------------------------------------------------------------------------------------------ code

if [[ "$skip_package" == false ]]; then
  log "Building the package (npm ci, npm run package)"
  (cd "$REPO_ROOT" && npm ci --no-audit --no-fund && npm run package)
fi

if [[ "$skip_code" == false ]]; then
  [[ -f "$ZIP" ]] || die "$ZIP not found: run npm run package (or drop --skip-package)"
  log "Deploying $(basename "$ZIP") to $app_name"
  deployed=false
  for attempt in 1 2 3; do
    # A fresh role assignment on the deployment container can take a few minutes to apply (403).
    if az functionapp deployment source config-zip -g "$resource_group" -n "$app_name" --src "$ZIP" -o none; then
      deployed=true
      break
    fi
    warn "zip deployment attempt $attempt failed; retrying in 60 s"
    sleep 60
  done
  [[ "$deployed" == true ]] || die "zip deployment failed three times"

  # Only now: Event Grid validates the AzureFunction endpoint, so the function must exist (docs/DEPLOY.md).
  log "Subscribing emailDeliveryReport to ACS delivery reports (modules/deliveryReports.bicep)"
  subscribed=false
  for attempt in 1 2 3; do
    if az deployment group create -g "$resource_group" -n "${deployment_name}-deliveryReports" \
      -f "$REPO_ROOT/infra/modules/deliveryReports.bicep" -o none --parameters \
      "communicationServiceName=$(deployment_output communicationServiceName)" "functionAppName=$app_name"; then
      subscribed=true
      break
    fi
    warn "delivery-report subscription attempt $attempt failed (the function may not be indexed yet); retrying in 60 s"
    sleep 60
  done
  [[ "$subscribed" == true ]] || warn "no delivery-report subscription: bounces are not suppressed; rerun with --skip-infra"
fi

# ------------------------------------------------------------------------------------------ smoke check

if [[ "$skip_smoke" == false ]]; then
  health_url="https://${host_name}/api/health"
  log "Smoke check: $health_url"
  healthy=false
  # Polls /api/health up to smoke_attempts times, 15 s apart; sets healthy=true on the first 200.
  # $1 labels the attempts in the progress lines ("" or " after restart").
  poll_health() {
    local attempt status
    for ((attempt = 1; attempt <= smoke_attempts; attempt++)); do
      status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 15 "$health_url" || true)"
      if [[ "$status" == "200" ]]; then
        healthy=true
        return
      fi
      printf '  attempt %d/%d%s: HTTP %s\n' "$attempt" "$smoke_attempts" "$1" "$status" >&2
      sleep 15
    done
  }
  poll_health ""
  if [[ "$healthy" == false ]]; then
    # App Service caches an unresolved Key Vault reference for up to 24 h when the vault role had not
    # propagated at first start; a restart makes it fetch the secret again.
    log "Restarting $app_name once (re-reads Key Vault references), then checking again"
    az functionapp restart -g "$resource_group" -n "$app_name" -o none || warn "restart failed"
    poll_health " after restart"
  fi
  if [[ "$healthy" == false ]]; then
    # Flex Consumption has no log streaming: read the traces in Application Insights.
    warn "the app did not answer 200 on /api/health. Check the operatorTodo output below (a listed"
    warn "partner group that does not exist answers 503) and the app's traces in Application Insights:"
    warn "  az monitor app-insights query -g $resource_group --app $(deployment_output appInsightsName) \\"
    warn "    --analytics-query 'traces | where timestamp > ago(15m) | order by timestamp desc'"
  fi
fi

# ------------------------------------------------------------------------------ tenant readiness

# Tenant settings the app cannot fix itself (email OTP, guest invitations, guest access, cross-tenant
# access, domain lists, groups, Graph roles, Key Vault): checked by the app, printed here with fixes.
if [[ "$skip_smoke" == false && "${healthy:-false}" == true ]]; then
  log "Tenant readiness (GET /api/admin/readiness)"
  function_key="$(az functionapp keys list -g "$resource_group" -n "$app_name" --query 'functionKeys.default' -o tsv 2>/dev/null || true)"
  if [[ -z "$function_key" ]]; then
    warn "no function key readable; run later: npm run admin -- readiness --url https://${host_name} --key <function key>"
  elif [[ -f "$REPO_ROOT/dist/cli/admin.js" ]]; then
    readiness_status=0
    node "$REPO_ROOT/dist/cli/admin.js" readiness --url "https://${host_name}" --key "$function_key" || readiness_status=$?
    if [[ "$readiness_status" -eq 2 ]]; then
      warn "a readiness check failed: recipients would verify and then not get an account until it is fixed"
    elif [[ "$readiness_status" -ne 0 ]]; then
      warn "the readiness check could not run (exit $readiness_status)"
    fi
  else
    curl -s --max-time 60 -H "x-functions-key: $function_key" "https://${host_name}/api/admin/readiness" || warn "readiness request failed"
    printf '
'
  fi
fi

# ------------------------------------------------------------------------------------------ summary

log "Done"
printf '  Landing page:    %s\n' "$landing_url"
printf '  Function app:    %s\n' "$app_name"
printf '  Resource group:  %s\n' "$resource_group"
printf '  Sender address:  %s\n' "$(deployment_output senderAddress)"
todo="$(az deployment group show -g "$resource_group" -n "$deployment_name" --query 'properties.outputs.operatorTodo.value[]' -o tsv || true)"
if [[ -n "$todo" ]]; then
  printf '\nStill to do:\n'
  while IFS= read -r line; do printf '  - %s\n' "$line"; done <<<"$todo"
fi
dns="$(az deployment group show -g "$resource_group" -n "$deployment_name" --query 'properties.outputs.emailDnsRecordsToAdd.value' -o json || true)"
if [[ -n "$dns" && "$dns" != "{}" && "$dns" != "null" ]]; then
  printf '\nDNS records for the custom email domain (type, name, value, TTL):\n'
  az deployment group show -g "$resource_group" -n "$deployment_name" \
    --query 'properties.outputs.emailDnsRecordsToAdd.value.*.[type, name, value, to_string(ttl)]' -o tsv |
    while IFS=$'\t' read -r type name value ttl; do printf '  %-6s %-40s %s (ttl %s)\n' "$type" "$name" "$value" "$ttl"; done
fi
if [[ "${healthy:-true}" == false ]]; then
  exit 2
fi
