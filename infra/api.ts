// The HTTP API: one API Gateway route per declared route (shared/api/routes.ts), each integrated with the
// Lambda that serves it; protected routes behind the bearer-token Lambda authorizer (simple responses, no
// identity source and no cache: see shared/auth/gateway.ts), public ones with none and each with its own
// throttle. `$default` goes to the meta function, which answers 404 or 405. Access logs are JSON, one line
// per request.

import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BEARER_AUTHORIZER } from '../shared/auth/gateway.js';
import type { CorsPolicy } from '../shared/http/cors.js';
import { type FunctionName, isPublic, type RouteSpec, routeKey } from '../shared/http/route.js';

export interface ApiProps {
  routes: readonly RouteSpec[];
  functions: Record<FunctionName, IFunction>;
  authorizer: IFunction;
  defaultFunction: FunctionName;
  /** Stage-wide throttle, before any Lambda runs. */
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
  /** Browser origins allowed to call the API; CORS is off without any. */
  cors?: CorsPolicy | undefined;
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (name: FunctionName) => {
      let integration = integrations.get(name);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${name}-integration`, props.functions[name]);
        integrations.set(name, integration);
      }
      return integration;
    };

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: 'evsessions',
      description: 'evsessions Charge Sessions API',
      createDefaultStage: false,
      defaultIntegration: integrationFor(props.defaultFunction),
      ...(props.cors
        ? {
            corsPreflight: {
              allowOrigins: props.cors.allowOrigins,
              allowMethods: props.cors.allowMethods.map(
                (m) => CorsHttpMethod[m as keyof typeof CorsHttpMethod],
              ),
              allowHeaders: props.cors.allowHeaders,
              exposeHeaders: props.cors.exposeHeaders,
              maxAge: Duration.seconds(props.cors.maxAgeSeconds),
              allowCredentials: false,
            },
          }
        : {}),
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            // Not the path: public charging's session tokens are path parameters, and logs must never
            // hold a credential. The route key names the operation without its parameters.
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            tenantId: '$context.authorizer.tenantId',
          }),
        ),
      },
    });

    const bearer = new HttpLambdaAuthorizer('BearerToken', props.authorizer, {
      authorizerName: 'bearer-token',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [...BEARER_AUTHORIZER.identitySource],
      resultsCacheTtl: Duration.seconds(BEARER_AUTHORIZER.cacheSeconds),
    });
    const none = new HttpNoneAuthorizer();

    // Each public route's own throttle, as its declaration gives it (the stage's applies to the rest).
    // RouteSettings is free-form JSON in the L1 (a map by route key): CloudFormation's casing, as is.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of props.routes) {
      const httpRoute = new HttpRoute(this, `Route ${route.method} ${route.path}`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrationFor(route.fn),
        authorizer: isPublic(route) ? none : bearer,
      });
      if (isPublic(route)) {
        Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: route.auth.public });
        routeSettings[routeKey(route)] = {
          ThrottlingRateLimit: route.auth.throttle.rateLimit,
          ThrottlingBurstLimit: route.auth.throttle.burstLimit,
        };
        // A stage's route settings may only name routes that exist already.
        this.stage.node.addDependency(httpRoute);
      }
    }
    (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    const defaultRoute = this.httpApi.node.findChild('DefaultRoute');
    Validations.of(defaultRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers 404 or 405 for paths no route declares; it reads no data.',
    });
  }
}
