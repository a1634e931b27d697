import { Controller, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { Roles } from '../auth/principal';

/** A controller under /admin: admin keys or tokens only, documented under the admin tag. */
export const AdminRoutes = () =>
  applyDecorators(
    ApiTags('admin'),
    ApiSecurity('api-key'),
    ApiBearerAuth(),
    UseGuards(AuthGuard),
    Roles('admin'),
    Controller('admin'),
  );
