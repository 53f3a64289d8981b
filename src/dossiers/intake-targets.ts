import type { procedures, units } from '../db/schema/index.js';
import type { ProcessStep } from '../domain/steps.js';
import type { PlacedOfficer } from '../officers/queries.js';
import { TtlCache } from '../lib/ttl-cache.js';

/** A procedure as intakes use it, with the version of its internal process in force and its steps (null: none). */
export type ProcedureTarget = typeof procedures.$inferSelect & {
  processVersion: number | null;
  processSteps: ProcessStep[] | null;
};
/** The receiving unit, and whether it or a unit above it requires the acting officer (unitRequiresOfficer). */
export type UnitTarget = typeof units.$inferSelect & { officerRequired: boolean };
/** The officer an intake names (or a personal key acts as), with the path of their unit. */
export type OfficerTarget = PlacedOfficer;

/** How long a procedure, unit or officer read for an intake is reused without asking the database again. */
export const INTAKE_TARGETS_TTL_MS = 2_000;

/**
 * The procedures, units and officers intakes read (terms, names, paths, the internal process's version), reused
 * for `ttlMs` so that an intake costs no lookup round trip. Only the terms and names come from here: the intake
 * statement itself checks again that the procedure is active, the receiving unit active and inside the caller's
 * scope, the resolving unit active, and the acting officer active and where the key may name them (or, with none
 * named, that no unit requires one), so a stale entry can never let through an intake the database would
 * refuse. An edit made through this process clears the cache at once; one made elsewhere (another API instance,
 * the CLI) reaches this process's terms and names within `ttlMs`, as if the intake had come that much earlier.
 * Only rows that exist are kept.
 */
export class IntakeTargetsCache {
  private readonly procedures: TtlCache<string, ProcedureTarget>;
  private readonly units: TtlCache<string, UnitTarget>;
  private readonly officers: TtlCache<string, OfficerTarget>;
  private cleared = 0;

  constructor(ttlMs: number = INTAKE_TARGETS_TTL_MS, now: () => number = Date.now) {
    this.procedures = new TtlCache(ttlMs, now);
    this.units = new TtlCache(ttlMs, now);
    this.officers = new TtlCache(ttlMs, now);
  }

  /** The procedure, the receiving unit and the resolving unit (by default the receiving one), all fresh. */
  get(
    procedureCode: string,
    unitCode: string,
    resolvingUnitCode: string = unitCode,
  ): { procedure: ProcedureTarget; unit: UnitTarget; resolvingUnit: UnitTarget } | undefined {
    const procedure = this.procedures.get(procedureCode);
    const unit = this.units.get(unitCode);
    const resolvingUnit = resolvingUnitCode === unitCode ? unit : this.units.get(resolvingUnitCode);
    return procedure && unit && resolvingUnit ? { procedure, unit, resolvingUnit } : undefined;
  }

  set(procedure: ProcedureTarget, unit: UnitTarget, resolvingUnit: UnitTarget = unit): void {
    this.procedures.set(procedure.code, procedure);
    this.units.set(unit.code, unit);
    this.units.set(resolvingUnit.code, resolvingUnit);
  }

  /** Forgets them (after the database refused what they said). */
  forget(procedureCode: string, unitCode: string, resolvingUnitCode: string = unitCode): void {
    this.procedures.delete(procedureCode);
    this.units.delete(unitCode);
    this.units.delete(resolvingUnitCode);
  }

  officer(code: string): OfficerTarget | undefined {
    return this.officers.get(code);
  }

  setOfficer(officer: OfficerTarget): void {
    this.officers.set(officer.code, officer);
  }

  forgetOfficer(code: string): void {
    this.officers.delete(code);
  }

  /** Forgets everything (after a procedure, its internal process, a unit or an officer changed through this process). */
  clear(): void {
    this.procedures.clear();
    this.units.clear();
    this.officers.clear();
    this.cleared++;
  }

  /** How many times it was cleared: what is kept from the same rows (statistics answers' labels) is keyed by it. */
  get clears(): number {
    return this.cleared;
  }
}
