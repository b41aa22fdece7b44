// The body of every error answer, for the OpenAPI document.
import { Type } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Stable code, listed in docs/errors.md' }),
    message: Type.String(),
    details: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
    ),
  },
  { $id: 'ErrorResponse' },
);
