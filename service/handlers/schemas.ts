import { z } from 'zod';
import { OrderError } from '../domain/errors.js';
import { ORDER_STATUSES } from '../domain/status-machine.js';

/** Identifiers from clients: short, printable, no separators that could confuse logs or keys. */
const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be an identifier');
const text = (max: number) => z.string().trim().min(1).max(max);

export const itemSchema = z.strictObject({
  product_id: identifier,
  quantity: z.number().int().min(1).max(10_000),
  price: z.number().min(0).max(1_000_000),
});

export const shippingSchema = z.strictObject({
  recipient_name: text(120),
  line1: text(200),
  line2: text(200).optional(),
  city: text(100),
  postal_code: text(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
  phone: text(32).optional(),
  email: z.email().max(254).optional(),
});

export const createSchema = z.strictObject({
  customer_id: identifier.optional(),
  items: z.array(itemSchema).min(1).max(100),
  total: z.number().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
  shipping: shippingSchema.optional(),
});

export const updateSchema = z
  .strictObject({
    items: z.array(itemSchema).min(1).max(100).optional(),
    total: z.number().min(0).optional(),
    shipping: shippingSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'nothing to update');

export const statusSchema = z.strictObject({
  status: z.enum(ORDER_STATUSES),
  reason: text(200).optional(),
});

export const cancelSchema = z.strictObject({ reason: text(200).optional() });

export const fulfillSchema = z.strictObject({
  tracking_number: identifier,
  carrier: text(64),
});

export const listQuerySchema = z.strictObject({
  customer_id: identifier.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  date: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  next_token: z.string().min(1).max(2048).optional(),
});

/** Validates with zod and turns the first issue into a 400 naming the field. */
export const parseWith = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : undefined;
  throw new OrderError(
    'invalid',
    'validation_failed',
    field ? `${field}: ${issue?.message}` : (issue?.message ?? 'invalid request'),
    field ? { field } : undefined,
  );
};
