import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  ANALYST_VERDICTS,
  FEEDBACK_EVENT_TYPES,
  INCIDENT_STATUSES,
  type AnalystVerdict,
  type IncidentStatus,
} from '@soc/contracts';
import { AuthGuard } from '../auth/auth.guard';
import { CurrentPrincipal, Roles, type Principal } from '../auth/principal';
import { InputReader } from '../http/validation';
import { FEEDBACK_SERVICE } from '../tokens';
import type { FeedbackService, FeedbackTarget, SubmittedFeedback } from './feedback.service';

const NOTES_MAX = 4_000;

class AssignBody {
  @ApiProperty({ example: 'alice' }) assignee!: string;
}
class StatusBody {
  @ApiProperty({ enum: INCIDENT_STATUSES }) status!: IncidentStatus;
  @ApiPropertyOptional({ nullable: true }) notes?: string | null;
}
class VerdictBody {
  @ApiProperty({ enum: ANALYST_VERDICTS }) verdict!: AnalystVerdict;
  @ApiPropertyOptional({ nullable: true, example: 'admin running an inventory script' }) notes?:
    string | null;
}
class FeedbackBody {
  @ApiPropertyOptional({ description: 'the alert the feedback is about (or incident_id)' })
  alert_id?: string;
  @ApiPropertyOptional({ description: 'the incident the feedback is about (or alert_id)' })
  incident_id?: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) correct_priority!: number;
  @ApiPropertyOptional({ nullable: true }) analyst_notes?: string | null;
}
class EventAccepted {
  @ApiProperty() eventId!: string;
  @ApiProperty({ enum: FEEDBACK_EVENT_TYPES })
  type!: string;
  @ApiProperty() incidentId!: string;
  @ApiProperty({ description: 'the per-incident feedback stream sequence' }) sequence!: number;
  @ApiProperty({ description: 'true when ?wait=true saw the projection apply the event' })
  projected!: boolean;
  @ApiPropertyOptional({
    description: 'the incident as projected after the event (with ?wait=true)',
  })
  incident?: unknown;
}

const WAIT_HEADER = 'x-wait-for-projection';

/**
 * Analyst actions. Each one produces a FeedbackEvent to soc.feedback.v1 and answers 202 with
 * the event; with `?wait=true` (or `x-wait-for-projection: true`) it first waits until the
 * projection shows the event and answers 200 with the updated incident. Ingest keys get 403.
 */
@ApiTags('actions')
@ApiSecurity('api-key')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Roles('analyst', 'admin')
@Controller()
export class ActionsController {
  constructor(@Inject(FEEDBACK_SERVICE) private readonly feedback: FeedbackService) {}

  @Post('incidents/:incidentId/acknowledge')
  @HttpCode(202)
  @ApiOperation({ summary: 'Acknowledge an incident (IncidentAcknowledged)' })
  @ApiQuery({ name: 'wait', required: false, type: Boolean })
  @ApiAcceptedResponse({ type: EventAccepted })
  @ApiOkResponse({ type: EventAccepted, description: 'with wait: the projection shows the event' })
  acknowledge(
    @CurrentPrincipal() p: Principal,
    @Param('incidentId') incidentId: string,
    @Query('wait') wait: unknown,
    @Headers() headers: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.send(
      p,
      { incidentId },
      () => ({ type: 'IncidentAcknowledged', data: { incidentId } }),
      wait,
      headers,
      res,
    );
  }

  @Post('incidents/:incidentId/assign')
  @HttpCode(202)
  @ApiOperation({ summary: 'Assign an incident to an analyst (IncidentAssigned)' })
  @ApiBody({ type: AssignBody })
  @ApiQuery({ name: 'wait', required: false, type: Boolean })
  @ApiAcceptedResponse({ type: EventAccepted })
  assign(
    @CurrentPrincipal() p: Principal,
    @Param('incidentId') incidentId: string,
    @Body() body: unknown,
    @Query('wait') wait: unknown,
    @Headers() headers: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const input = new InputReader(body);
    input.onlyKnown(['assignee']);
    const assignee = input.string('assignee', { max: 200 }) ?? '';
    input.done();
    return this.send(
      p,
      { incidentId },
      () => ({ type: 'IncidentAssigned', data: { incidentId, assignee } }),
      wait,
      headers,
      res,
    );
  }

  @Post('incidents/:incidentId/status')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Change the status: open, acknowledged, in_progress, closed (IncidentStatusChanged)',
  })
  @ApiBody({ type: StatusBody })
  @ApiQuery({ name: 'wait', required: false, type: Boolean })
  @ApiAcceptedResponse({ type: EventAccepted })
  status(
    @CurrentPrincipal() p: Principal,
    @Param('incidentId') incidentId: string,
    @Body() body: unknown,
    @Query('wait') wait: unknown,
    @Headers() headers: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { choice: status, notes } = this.choiceWithNotes(
      body,
      'status',
      INCIDENT_STATUSES,
      'open',
    );
    return this.send(
      p,
      { incidentId },
      () => ({ type: 'IncidentStatusChanged', data: { incidentId, status, notes } }),
      wait,
      headers,
      res,
    );
  }

  @Post('incidents/:incidentId/verdict')
  @HttpCode(202)
  @ApiOperation({ summary: 'Close with a verdict and notes (IncidentVerdictGiven)' })
  @ApiBody({ type: VerdictBody })
  @ApiQuery({ name: 'wait', required: false, type: Boolean })
  @ApiAcceptedResponse({ type: EventAccepted })
  verdict(
    @CurrentPrincipal() p: Principal,
    @Param('incidentId') incidentId: string,
    @Body() body: unknown,
    @Query('wait') wait: unknown,
    @Headers() headers: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { choice: verdict, notes } = this.choiceWithNotes(
      body,
      'verdict',
      ANALYST_VERDICTS,
      'true_positive',
    );
    return this.send(
      p,
      { incidentId },
      () => ({ type: 'IncidentVerdictGiven', data: { incidentId, verdict, notes } }),
      wait,
      headers,
      res,
    );
  }

  @Post('feedback')
  @HttpCode(202)
  @ApiOperation({
    summary: 'The priority an alert or incident should have had (PriorityFeedbackGiven)',
  })
  @ApiBody({ type: FeedbackBody })
  @ApiQuery({ name: 'wait', required: false, type: Boolean })
  @ApiAcceptedResponse({ type: EventAccepted })
  priorityFeedback(
    @CurrentPrincipal() p: Principal,
    @Body() body: unknown,
    @Query('wait') wait: unknown,
    @Headers() headers: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const input = new InputReader(body);
    input.onlyKnown(['alert_id', 'incident_id', 'correct_priority', 'analyst_notes']);
    const alertId = input.string('alert_id', { required: false, max: 500 });
    const incidentId = input.string('incident_id', { required: false, max: 500 });
    if ((alertId === null) === (incidentId === null)) {
      input.problem(
        alertId === null ? 'alert_id' : 'incident_id',
        'give exactly one of alert_id and incident_id',
      );
    }
    const correctPriority = input.number('correct_priority', { min: 0, max: 100 }) ?? 0;
    const analystNotes = input.string('analyst_notes', { required: false, max: NOTES_MAX });
    input.done();
    const target: FeedbackTarget =
      alertId !== null ? { alertId } : { incidentId: incidentId ?? '' };
    return this.send(
      p,
      target,
      (resolved) => ({
        type: 'PriorityFeedbackGiven',
        data: {
          incidentId: alertId === null ? resolved : null,
          alertId,
          correctPriority,
          analystNotes,
        },
      }),
      wait,
      headers,
      res,
    );
  }

  /** Reads a body of one enumerated field plus optional notes (status, verdict). */
  private choiceWithNotes<T extends string>(
    body: unknown,
    field: string,
    allowed: readonly T[],
    fallback: T,
  ): { choice: T; notes: string | null } {
    const input = new InputReader(body);
    input.onlyKnown([field, 'notes']);
    const choice = input.oneOf(field, allowed) ?? fallback;
    const notes = input.string('notes', { required: false, max: NOTES_MAX });
    input.done();
    return { choice, notes };
  }

  private async send(
    principal: Principal,
    target: FeedbackTarget,
    body: Parameters<FeedbackService['submit']>[2],
    waitQuery: unknown,
    headers: Record<string, unknown>,
    res: Response,
  ): Promise<SubmittedFeedback> {
    const input = new InputReader({ wait: waitQuery, [WAIT_HEADER]: headers[WAIT_HEADER] });
    const wait = input.boolean('wait', false) || input.boolean(WAIT_HEADER, false);
    input.done();
    const requestId =
      typeof headers['x-request-id'] === 'string' ? `request:${headers['x-request-id']}` : null;
    const result = await this.feedback.submit(principal, target, body, {
      wait,
      causationId: requestId,
    });
    res.status(result.projected ? 200 : 202);
    return result;
  }
}
