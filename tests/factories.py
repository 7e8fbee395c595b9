"""factory_boy factories. Rows with history go through the services, so tests see real data."""

import factory
from django.contrib.auth import get_user_model

from incidents import services
from incidents.models import ComponentGroup, UpdateTemplate


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"oncall{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class ComponentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComponentGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    position = factory.Sequence(lambda n: n)


class ComponentFactory(factory.Factory):
    """Builds through services.create_component, so the first history row exists."""

    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"Component {n}")
    position = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.create_component(**kwargs)


class UpdateTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdateTemplate

    name = factory.Sequence(lambda n: f"Template {n}")
    status = "investigating"
    title = "Elevated error rates"
    body = "We are investigating elevated error rates."
